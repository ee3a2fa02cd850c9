package dev.portcullis.it.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Consistency checks of rendered manifests, parsed with the fabric8 Kubernetes model. Each check
 * returns human-readable problems; an empty list means consistent.
 */
public final class ManifestChecker {

    public static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** What a rendering is checked against. */
    public record Expectations(
            Set<String> outOfBandSecrets, Set<String> topics, boolean openshift, String scaledDeployment) {}

    /** A pod template and where it came from. */
    record Workload(String where, String name, PodTemplateSpec template) {}

    private final List<ObjectNode> raw;
    private final List<HasMetadata> objects = new ArrayList<>();
    private final List<Workload> workloads = new ArrayList<>();

    public ManifestChecker(List<ObjectNode> rendered) {
        this.raw = rendered;
        for (ObjectNode n : rendered) {
            HasMetadata o = SERIALIZATION.convertValue(n, HasMetadata.class);
            objects.add(o);
            PodTemplateSpec t = switch (o) {
                case Deployment d -> d.getSpec().getTemplate();
                case StatefulSet s -> s.getSpec().getTemplate();
                case DaemonSet s -> s.getSpec().getTemplate();
                case Job j -> j.getSpec().getTemplate();
                default -> null;
            };
            if (t != null) {
                workloads.add(new Workload(
                        o.getKind() + "/" + o.getMetadata().getName(),
                        o.getMetadata().getName(),
                        t));
            }
        }
    }

    public List<HasMetadata> objects() {
        return objects;
    }

    /** Every check. */
    public List<String> checkAll(Expectations e) {
        List<String> p = new ArrayList<>();
        p.addAll(checkServiceSelectors());
        p.addAll(checkConfigMapReferences());
        p.addAll(checkSecretReferences(e.outOfBandSecrets()));
        p.addAll(checkServiceAccounts());
        p.addAll(checkContainers());
        if (e.openshift()) {
            p.addAll(checkNoFixedIds());
            p.addAll(checkRoutes());
        }
        p.addAll(checkTopics(e.topics()));
        p.addAll(checkScaling(e.scaledDeployment()));
        p.addAll(checkDrain(e.scaledDeployment()));
        p.addAll(checkNetworkPolicies(e.scaledDeployment()));
        p.addAll(checkIssuer());
        p.addAll(checkConsole(e.openshift()));
        return p;
    }

    /** The console's public URL, realm client, Secret and Route agree ({@link ConsoleCheck}). */
    public List<String> checkConsole(boolean openshift) {
        return ConsoleCheck.check(raw, openshift);
    }

    // ---------------------------------------------------------------- services

    public List<String> checkServiceSelectors() {
        List<String> p = new ArrayList<>();
        for (Service s : ofType(Service.class)) {
            Map<String, String> sel = s.getSpec().getSelector();
            if (sel == null || sel.isEmpty()) {
                p.add("Service " + s.getMetadata().getName() + " has no selector");
                continue;
            }
            boolean match = workloads.stream()
                    .anyMatch(w -> labelsMatch(sel, w.template().getMetadata().getLabels()));
            if (!match) {
                p.add("Service " + s.getMetadata().getName() + " selector " + sel + " matches no pod template");
                continue;
            }
            for (ServicePort port : s.getSpec().getPorts()) {
                if (port.getTargetPort() != null && port.getTargetPort().getStrVal() != null) {
                    String name = port.getTargetPort().getStrVal();
                    boolean named = workloads.stream()
                            .filter(w ->
                                    labelsMatch(sel, w.template().getMetadata().getLabels()))
                            .flatMap(w -> w.template().getSpec().getContainers().stream())
                            .flatMap(c -> c.getPorts().stream())
                            .anyMatch(cp -> name.equals(cp.getName()));
                    if (!named) {
                        p.add("Service " + s.getMetadata().getName() + " targetPort '" + name
                                + "' is no container port of its pods");
                    }
                }
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- references

    public List<String> checkConfigMapReferences() {
        Map<String, Set<String>> available = new LinkedHashMap<>();
        for (ConfigMap cm : ofType(ConfigMap.class)) {
            Set<String> keys = new LinkedHashSet<>();
            if (cm.getData() != null) {
                keys.addAll(cm.getData().keySet());
            }
            if (cm.getBinaryData() != null) {
                keys.addAll(cm.getBinaryData().keySet());
            }
            available.put(cm.getMetadata().getName(), keys);
        }
        // generated by operators: an ObjectBucketClaim gets a ConfigMap of its name (keys unknown here)
        Set<String> generated = new LinkedHashSet<>();
        for (GenericKubernetesResource g : generic("ObjectBucketClaim")) {
            generated.add(g.getMetadata().getName());
        }
        List<String> p = new ArrayList<>();
        for (Workload w : workloads) {
            for (Container c : containers(w)) {
                for (EnvVar ev : nn(c.getEnv())) {
                    if (ev.getValueFrom() != null && ev.getValueFrom().getConfigMapKeyRef() != null) {
                        var ref = ev.getValueFrom().getConfigMapKeyRef();
                        if (Boolean.TRUE.equals(ref.getOptional())) {
                            continue;
                        }
                        if (available.containsKey(ref.getName())) {
                            if (!available.get(ref.getName()).contains(ref.getKey())) {
                                p.add(w.where() + " env " + ev.getName() + ": ConfigMap " + ref.getName()
                                        + " has no key " + ref.getKey());
                            }
                        } else if (!generated.contains(ref.getName())) {
                            p.add(w.where() + " env " + ev.getName() + " references missing ConfigMap "
                                    + ref.getName());
                        }
                    }
                }
                for (EnvFromSource ef : nn(c.getEnvFrom())) {
                    if (ef.getConfigMapRef() != null
                            && !Boolean.TRUE.equals(ef.getConfigMapRef().getOptional())
                            && !available.containsKey(ef.getConfigMapRef().getName())
                            && !generated.contains(ef.getConfigMapRef().getName())) {
                        p.add(w.where() + " envFrom references missing ConfigMap "
                                + ef.getConfigMapRef().getName());
                    }
                }
            }
            for (Volume v : nn(w.template().getSpec().getVolumes())) {
                if (v.getConfigMap() != null
                        && !Boolean.TRUE.equals(v.getConfigMap().getOptional())
                        && !available.containsKey(v.getConfigMap().getName())
                        && !generated.contains(v.getConfigMap().getName())) {
                    p.add(w.where() + " volume " + v.getName() + " references missing ConfigMap "
                            + v.getConfigMap().getName());
                }
            }
        }
        return p;
    }

    /** Secrets that operator CRs in the rendering generate (the names those operators document). */
    public Set<String> operatorGeneratedSecrets() {
        Set<String> s = new LinkedHashSet<>();
        for (GenericKubernetesResource c : generic("Cluster")) {
            if (c.getApiVersion().startsWith("postgresql.cnpg.io/")) {
                String n = c.getMetadata().getName();
                s.addAll(List.of(n + "-app", n + "-ca", n + "-server", n + "-replication"));
                if (Boolean.TRUE.equals(path(c, "spec", "enableSuperuserAccess"))) {
                    s.add(n + "-superuser");
                }
            }
        }
        for (GenericKubernetesResource k : generic("Kafka")) {
            String n = k.getMetadata().getName();
            s.addAll(List.of(n + "-cluster-ca-cert", n + "-clients-ca-cert"));
        }
        for (GenericKubernetesResource u : generic("KafkaUser")) {
            s.add(u.getMetadata().getName());
        }
        for (GenericKubernetesResource o : generic("ObjectBucketClaim")) {
            s.add(o.getMetadata().getName());
        }
        for (GenericKubernetesResource kc : generic("Keycloak")) {
            s.add(kc.getMetadata().getName() + "-initial-admin");
            if (path(kc, "spec", "http", "annotations") instanceof Map<?, ?> ann
                    && ann.get("service.beta.openshift.io/serving-cert-secret-name") instanceof String name) {
                s.add(name);
            }
        }
        for (Service svc : ofType(Service.class)) {
            Map<String, String> ann = svc.getMetadata().getAnnotations();
            if (ann != null && ann.containsKey("service.beta.openshift.io/serving-cert-secret-name")) {
                s.add(ann.get("service.beta.openshift.io/serving-cert-secret-name"));
            }
        }
        return s;
    }

    /** Every Secret a manifest references, with where. */
    public Map<String, String> referencedSecrets() {
        Map<String, String> refs = new LinkedHashMap<>();
        for (Workload w : workloads) {
            for (Container c : containers(w)) {
                for (EnvVar ev : nn(c.getEnv())) {
                    if (ev.getValueFrom() != null
                            && ev.getValueFrom().getSecretKeyRef() != null
                            && !Boolean.TRUE.equals(
                                    ev.getValueFrom().getSecretKeyRef().getOptional())) {
                        refs.putIfAbsent(
                                ev.getValueFrom().getSecretKeyRef().getName(), w.where() + " env " + ev.getName());
                    }
                }
                for (EnvFromSource ef : nn(c.getEnvFrom())) {
                    if (ef.getSecretRef() != null
                            && !Boolean.TRUE.equals(ef.getSecretRef().getOptional())) {
                        refs.putIfAbsent(ef.getSecretRef().getName(), w.where() + " envFrom");
                    }
                }
            }
            for (Volume v : nn(w.template().getSpec().getVolumes())) {
                if (v.getSecret() != null && !Boolean.TRUE.equals(v.getSecret().getOptional())) {
                    refs.putIfAbsent(v.getSecret().getSecretName(), w.where() + " volume " + v.getName());
                }
            }
            nn(w.template().getSpec().getImagePullSecrets())
                    .forEach(r -> refs.putIfAbsent(r.getName(), w.where() + " imagePullSecrets"));
        }
        for (GenericKubernetesResource kc : generic("Keycloak")) {
            String where = "Keycloak/" + kc.getMetadata().getName();
            if (path(kc, "spec", "db", "usernameSecret", "name") instanceof String n) {
                refs.putIfAbsent(n, where + " spec.db.usernameSecret");
            }
            if (path(kc, "spec", "db", "passwordSecret", "name") instanceof String n) {
                refs.putIfAbsent(n, where + " spec.db.passwordSecret");
            }
            if (path(kc, "spec", "http", "tlsSecret") instanceof String n) {
                refs.putIfAbsent(n, where + " spec.http.tlsSecret");
            }
        }
        for (GenericKubernetesResource ri : generic("KeycloakRealmImport")) {
            if (path(ri, "spec", "placeholders") instanceof Map<?, ?> ph) {
                for (var e : ph.entrySet()) {
                    if (e.getValue() instanceof Map<?, ?> m
                            && m.get("secret") instanceof Map<?, ?> sec
                            && sec.get("name") instanceof String n) {
                        refs.putIfAbsent(
                                n, "KeycloakRealmImport/" + ri.getMetadata().getName() + " placeholder " + e.getKey());
                    }
                }
            }
        }
        return refs;
    }

    public List<String> checkSecretReferences(Set<String> outOfBand) {
        Set<String> defined = new LinkedHashSet<>();
        objects.stream()
                .filter(o -> "Secret".equals(o.getKind()))
                .forEach(o -> defined.add(o.getMetadata().getName()));
        Set<String> generated = operatorGeneratedSecrets();
        List<String> p = new ArrayList<>();
        if (!defined.isEmpty()) {
            p.add("Secrets with values are committed in the manifests: " + defined
                    + " (reference them, create them out-of-band)");
        }
        Map<String, String> refs = referencedSecrets();
        refs.forEach((name, where) -> {
            if (!defined.contains(name) && !generated.contains(name) && !outOfBand.contains(name)) {
                p.add(where + " references Secret " + name
                        + " that no manifest or operator creates and that is not listed in required-secrets.txt");
            }
        });
        for (String listed : outOfBand) {
            if (!refs.containsKey(listed)) {
                p.add("required-secrets.txt lists " + listed + " but no manifest references it");
            }
        }
        return p;
    }

    public List<String> checkServiceAccounts() {
        Set<String> sas = new LinkedHashSet<>();
        ofType(ServiceAccount.class).forEach(s -> sas.add(s.getMetadata().getName()));
        List<String> p = new ArrayList<>();
        for (Workload w : workloads) {
            String sa = w.template().getSpec().getServiceAccountName();
            if (sa == null || sa.isBlank() || "default".equals(sa)) {
                p.add(w.where() + " runs as the default ServiceAccount; give it its own");
            } else if (!sas.contains(sa)) {
                p.add(w.where() + " references missing ServiceAccount " + sa);
            }
            if (!Boolean.FALSE.equals(w.template().getSpec().getAutomountServiceAccountToken())) {
                p.add(w.where()
                        + " mounts a ServiceAccount token it does not need (automountServiceAccountToken: false)");
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- containers

    public List<String> checkContainers() {
        List<String> p = new ArrayList<>();
        for (Workload w : workloads) {
            PodSecurityContext pod = w.template().getSpec().getSecurityContext();
            for (Container c : containers(w)) {
                String where = w.where() + " container " + c.getName();
                boolean init = nn(w.template().getSpec().getInitContainers()).contains(c);
                if (!init) {
                    if (c.getLivenessProbe() == null) {
                        p.add(where + " has no livenessProbe");
                    } else if (c.getLivenessProbe().getHttpGet() != null
                            && !"/q/health/live"
                                    .equals(c.getLivenessProbe().getHttpGet().getPath())) {
                        p.add(where + " livenessProbe is not /q/health/live");
                    }
                    if (c.getReadinessProbe() == null) {
                        p.add(where + " has no readinessProbe");
                    } else if (c.getReadinessProbe().getHttpGet() != null
                            && !"/q/health/ready"
                                    .equals(c.getReadinessProbe().getHttpGet().getPath())) {
                        p.add(where + " readinessProbe is not /q/health/ready");
                    }
                }
                var res = c.getResources();
                for (String r : List.of("cpu", "memory")) {
                    Quantity req = res == null || res.getRequests() == null
                            ? null
                            : res.getRequests().get(r);
                    Quantity lim = res == null || res.getLimits() == null
                            ? null
                            : res.getLimits().get(r);
                    if (req == null) {
                        p.add(where + " has no " + r + " request");
                    }
                    if (lim == null) {
                        p.add(where + " has no " + r + " limit");
                    }
                    if (req != null
                            && lim != null
                            && req.getNumericalAmount().compareTo(lim.getNumericalAmount()) > 0) {
                        p.add(where + " " + r + " request is above its limit");
                    }
                }
                SecurityContext sc = c.getSecurityContext();
                boolean nonRoot = (sc != null && Boolean.TRUE.equals(sc.getRunAsNonRoot()))
                        || (pod != null
                                && Boolean.TRUE.equals(pod.getRunAsNonRoot())
                                && (sc == null || sc.getRunAsNonRoot() == null));
                if (!nonRoot) {
                    p.add(where + " is not runAsNonRoot");
                }
                if (sc == null || !Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                    p.add(where + " has no readOnlyRootFilesystem");
                } else if (nn(c.getVolumeMounts()).stream()
                        .map(VolumeMount::getMountPath)
                        .noneMatch("/tmp"::equals)) {
                    p.add(where + " has a read-only root filesystem but no writable /tmp volume");
                }
                if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                    p.add(where + " does not set allowPrivilegeEscalation: false");
                }
                if (sc == null
                        || sc.getCapabilities() == null
                        || !nn(sc.getCapabilities().getDrop()).contains("ALL")) {
                    p.add(where + " does not drop ALL capabilities");
                }
                if (sc != null
                        && sc.getCapabilities() != null
                        && !nn(sc.getCapabilities().getAdd()).isEmpty()) {
                    p.add(where + " adds capabilities " + sc.getCapabilities().getAdd());
                }
                if (sc != null && Boolean.TRUE.equals(sc.getPrivileged())) {
                    p.add(where + " is privileged");
                }
                String seccomp = sc != null && sc.getSeccompProfile() != null
                        ? sc.getSeccompProfile().getType()
                        : pod != null && pod.getSeccompProfile() != null
                                ? pod.getSeccompProfile().getType()
                                : null;
                if (!"RuntimeDefault".equals(seccomp)) {
                    p.add(where + " has no seccompProfile RuntimeDefault");
                }
                if (c.getImage() == null
                        || c.getImage().endsWith(":latest")
                        || !c.getImage().contains(":")) {
                    p.add(where + " image " + c.getImage() + " has no fixed tag");
                }
            }
        }
        return p;
    }

    /** restricted-v2 assigns UIDs/GIDs from the namespace range: nothing may fix them. */
    public List<String> checkNoFixedIds() {
        List<String> p = new ArrayList<>();
        for (ObjectNode n : raw) {
            String where = n.path("kind").asText() + "/"
                    + n.path("metadata").path("name").asText();
            walk(n, "", (path, key) -> {
                if (Set.of("runAsUser", "runAsGroup", "fsGroup", "supplementalGroups")
                        .contains(key)) {
                    p.add(where + " fixes " + path + " (the restricted-v2 SCC would reject or override it)");
                }
            });
        }
        return p;
    }

    private interface KeyVisitor {
        void visit(String path, String key);
    }

    private static void walk(JsonNode n, String path, KeyVisitor v) {
        if (n.isObject()) {
            n.properties().forEach(e -> {
                v.visit(path + "." + e.getKey(), e.getKey());
                walk(e.getValue(), path + "." + e.getKey(), v);
            });
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                walk(n.get(i), path + "[" + i + "]", v);
            }
        }
    }

    // ---------------------------------------------------------------- openshift routes

    public List<String> checkRoutes() {
        List<String> p = new ArrayList<>();
        Map<String, Service> services = new LinkedHashMap<>();
        ofType(Service.class).forEach(s -> services.put(s.getMetadata().getName(), s));
        Set<String> keycloakServices = new LinkedHashSet<>();
        generic("Keycloak").forEach(k -> keycloakServices.add(k.getMetadata().getName() + "-service"));
        List<GenericKubernetesResource> routes = generic("Route");
        if (routes.isEmpty()) {
            p.add("no Routes in the OpenShift rendering");
        }
        for (GenericKubernetesResource r : routes) {
            String where = "Route/" + r.getMetadata().getName();
            Object to = path(r, "spec", "to", "name");
            Object targetPort = path(r, "spec", "port", "targetPort");
            Object termination = path(r, "spec", "tls", "termination");
            if (termination == null) {
                p.add(where + " has no TLS");
            }
            if (to instanceof String svc && services.containsKey(svc)) {
                boolean portOk = services.get(svc).getSpec().getPorts().stream()
                        .anyMatch(sp -> Objects.equals(sp.getName(), targetPort)
                                || (sp.getTargetPort() != null
                                        && Objects.equals(sp.getTargetPort().getStrVal(), targetPort)));
                if (!portOk) {
                    p.add(where + " targetPort " + targetPort + " is not a port of Service " + svc);
                }
            } else if (!(to instanceof String svc2 && keycloakServices.contains(svc2))) {
                p.add(where + " points at missing Service " + to);
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- kafka topics

    public List<String> checkTopics(Collection<String> topics) {
        Set<String> kafkas = new LinkedHashSet<>();
        generic("Kafka").forEach(k -> kafkas.add(k.getMetadata().getName()));
        Map<String, GenericKubernetesResource> declared = new LinkedHashMap<>();
        for (GenericKubernetesResource t : generic("KafkaTopic")) {
            Object name = path(t, "spec", "topicName");
            declared.put(name instanceof String s ? s : t.getMetadata().getName(), t);
        }
        List<String> p = new ArrayList<>();
        if (topics.isEmpty()) {
            p.add("no topics to check");
        }
        for (String topic : topics) {
            GenericKubernetesResource t = declared.get(topic);
            if (t == null) {
                p.add("topic " + topic + " has no KafkaTopic");
                continue;
            }
            String cluster = t.getMetadata().getLabels() == null
                    ? null
                    : t.getMetadata().getLabels().get("strimzi.io/cluster");
            if (cluster == null || !kafkas.contains(cluster)) {
                p.add("KafkaTopic " + topic + " names Kafka cluster " + cluster + " that is not in the manifests");
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- scaling

    public List<String> checkScaling(String deployment) {
        List<String> p = new ArrayList<>();
        Deployment d = ofType(Deployment.class).stream()
                .filter(x -> x.getMetadata().getName().equals(deployment))
                .findFirst()
                .orElse(null);
        if (d == null) {
            p.add("no Deployment " + deployment);
            return p;
        }
        boolean hpa = ofType(HorizontalPodAutoscaler.class).stream()
                .anyMatch(h -> "Deployment"
                                .equals(h.getSpec().getScaleTargetRef().getKind())
                        && deployment.equals(h.getSpec().getScaleTargetRef().getName())
                        && h.getSpec().getMinReplicas() != null
                        && h.getSpec().getMinReplicas() >= 2
                        && h.getSpec().getMaxReplicas() > h.getSpec().getMinReplicas());
        if (!hpa) {
            p.add("Deployment " + deployment + " has no HorizontalPodAutoscaler (minReplicas >= 2, max > min)");
        }
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        boolean pdb = ofType(PodDisruptionBudget.class).stream()
                .anyMatch(b -> selects(b.getSpec().getSelector(), labels)
                        && (b.getSpec().getMinAvailable() != null || b.getSpec().getMaxUnavailable() != null));
        if (!pdb) {
            p.add("Deployment " + deployment + " has no PodDisruptionBudget selecting its pods");
        }
        return p;
    }

    /** The deployment drains within its grace period ({@link DrainCheck}). */
    public List<String> checkDrain(String deployment) {
        return ofType(Deployment.class).stream()
                .filter(x -> x.getMetadata().getName().equals(deployment))
                .findFirst()
                .map(DrainCheck::check)
                .orElse(List.of("no Deployment " + deployment));
    }

    // ---------------------------------------------------------------- network policies

    public List<String> checkNetworkPolicies(String onlyEgressToTargets) {
        List<String> p = new ArrayList<>();
        List<NetworkPolicy> nps = ofType(NetworkPolicy.class);
        boolean defaultDeny = nps.stream()
                .anyMatch(np -> isEmpty(np.getSpec().getPodSelector())
                        && nn(np.getSpec().getPolicyTypes()).containsAll(List.of("Ingress", "Egress"))
                        && nn(np.getSpec().getIngress()).isEmpty()
                        && nn(np.getSpec().getEgress()).isEmpty());
        if (!defaultDeny) {
            p.add("no default-deny NetworkPolicy (empty podSelector, Ingress+Egress, no rules)");
        }
        for (Workload w : workloads) {
            Map<String, String> labels = w.template().getMetadata().getLabels();
            boolean own = nps.stream()
                    .anyMatch(np -> !isEmpty(np.getSpec().getPodSelector())
                            && nn(np.getSpec().getPolicyTypes()).contains("Ingress")
                            && selects(np.getSpec().getPodSelector(), labels));
            if (!own) {
                p.add(w.where() + " has no NetworkPolicy of its own that declares its ingress (only the default deny)");
            }
        }
        // an egress rule open to any port outside the namespace is a path to targets: session-proxy only
        for (NetworkPolicy np : nps) {
            for (NetworkPolicyEgressRule r : nn(np.getSpec().getEgress())) {
                boolean anyPort = nn(r.getPorts()).isEmpty();
                boolean outside =
                        nn(r.getTo()).isEmpty() || nn(r.getTo()).stream().anyMatch(ManifestChecker::leavesNamespace);
                if (anyPort && outside) {
                    LabelSelector sel = np.getSpec().getPodSelector();
                    boolean onlyProxy = sel != null
                            && sel.getMatchLabels() != null
                            && onlyEgressToTargets.equals(sel.getMatchLabels().get("app.kubernetes.io/name"));
                    if (!onlyProxy) {
                        p.add("NetworkPolicy " + np.getMetadata().getName() + " lets pods other than "
                                + onlyEgressToTargets + " reach any port outside the namespace");
                    }
                }
            }
        }
        return p;
    }

    private static boolean leavesNamespace(NetworkPolicyPeer peer) {
        return peer.getIpBlock() != null || peer.getNamespaceSelector() != null;
    }

    // ---------------------------------------------------------------- issuer

    /** The issuer the services pin must be Keycloak's fixed hostname + /realms/portcullis. */
    public List<String> checkIssuer() {
        List<String> p = new ArrayList<>();
        List<GenericKubernetesResource> kcs = generic("Keycloak");
        ConfigMap endpoints = ofType(ConfigMap.class).stream()
                .filter(c -> "portcullis-endpoints".equals(c.getMetadata().getName()))
                .findFirst()
                .orElse(null);
        if (kcs.size() != 1 || endpoints == null) {
            p.add("expected one Keycloak and the ConfigMap portcullis-endpoints");
            return p;
        }
        Object host = path(kcs.get(0), "spec", "hostname", "hostname");
        String issuer = endpoints.getData().get("KEYCLOAK_ISSUER");
        if (!(host + "/realms/portcullis").equals(issuer)) {
            p.add("KEYCLOAK_ISSUER " + issuer + " is not Keycloak's hostname " + host + " + /realms/portcullis");
        }
        for (GenericKubernetesResource ri : generic("KeycloakRealmImport")) {
            if (!kcs.get(0).getMetadata().getName().equals(path(ri, "spec", "keycloakCRName"))) {
                p.add("KeycloakRealmImport " + ri.getMetadata().getName()
                        + " names a Keycloak that is not in the manifests");
            }
        }
        for (GenericKubernetesResource r : generic("Route")) {
            if (("keycloak").equals(r.getMetadata().getName())
                    && !("https://" + path(r, "spec", "host")).equals(host)) {
                p.add("Route keycloak host " + path(r, "spec", "host") + " is not Keycloak's hostname " + host);
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- helpers

    <T> List<T> ofType(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<GenericKubernetesResource> generic(String kind) {
        return objects.stream()
                .filter(o -> o instanceof GenericKubernetesResource && kind.equals(o.getKind()))
                .map(GenericKubernetesResource.class::cast)
                .toList();
    }

    private static Object path(GenericKubernetesResource r, String... keys) {
        Object cur = r.getAdditionalProperties();
        for (String k : keys) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(k);
        }
        return cur;
    }

    private static List<Container> containers(Workload w) {
        List<Container> all = new ArrayList<>(nn(w.template().getSpec().getContainers()));
        all.addAll(nn(w.template().getSpec().getInitContainers()));
        return all;
    }

    private static boolean labelsMatch(Map<String, String> selector, Map<String, String> labels) {
        return labels != null
                && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static boolean isEmpty(LabelSelector s) {
        return s == null
                || (nn(s.getMatchLabels() == null
                                        ? null
                                        : List.copyOf(s.getMatchLabels().keySet()))
                                .isEmpty()
                        && nn(s.getMatchExpressions()).isEmpty());
    }

    /** matchLabels and the In/NotIn/Exists/DoesNotExist expressions. */
    static boolean selects(LabelSelector s, Map<String, String> labels) {
        if (s == null || labels == null) {
            return false;
        }
        if (s.getMatchLabels() != null && !labelsMatch(s.getMatchLabels(), labels)) {
            return false;
        }
        for (var e : nn(s.getMatchExpressions())) {
            String v = labels.get(e.getKey());
            boolean ok = switch (e.getOperator()) {
                case "In" -> v != null && e.getValues().contains(v);
                case "NotIn" -> v == null || !e.getValues().contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static <T> List<T> nn(List<T> l) {
        return l == null ? List.of() : l;
    }
}
