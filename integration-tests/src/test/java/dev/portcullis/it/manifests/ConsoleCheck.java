package dev.portcullis.it.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The console's public URL is one name everywhere: {@code PORTCULLIS_CONSOLE_URL} of the endpoints ConfigMap (the
 * broker's webhook links to it), the redirect and post-logout URIs of the realm import's {@code portcullis-console}
 * client (never loopback), and on OpenShift the console Route's host. The console Deployment signs in as that client
 * with the Secret the realm import's placeholder is filled from, with Secure cookies and https redirect URIs behind
 * the edge-terminating Route.
 */
final class ConsoleCheck {

    static final String CLIENT = "portcullis-console";
    static final String DEPLOYMENT = "console";
    static final String URL_KEY = "PORTCULLIS_CONSOLE_URL";
    static final String ENDPOINTS = "portcullis-endpoints";

    private ConsoleCheck() {}

    static List<String> check(List<ObjectNode> objects, boolean openshift) {
        List<String> p = new ArrayList<>();
        String url = find(objects, "ConfigMap", ENDPOINTS)
                .map(cm -> cm.path("data").path(URL_KEY).asText(null))
                .orElse(null);
        if (url == null || !url.startsWith("https://") || url.endsWith("/")) {
            p.add("ConfigMap " + ENDPOINTS + " " + URL_KEY + " is " + url
                    + ", not an https URL without a trailing slash");
            return p;
        }
        p.addAll(realmClient(objects, url));
        p.addAll(deployment(objects));
        Optional<ObjectNode> broker = find(objects, "Deployment", "identity-broker");
        if (broker.isEmpty() || !fromConfigMap(env(broker.get(), URL_KEY), ENDPOINTS, URL_KEY)) {
            p.add("Deployment identity-broker does not take " + URL_KEY + " from ConfigMap " + ENDPOINTS
                    + " (its webhook links to the console)");
        }
        if (openshift) {
            p.addAll(route(objects, url));
        }
        return p;
    }

    private static List<String> realmClient(List<ObjectNode> objects, String url) {
        List<String> p = new ArrayList<>();
        Optional<ObjectNode> ri = find(objects, "KeycloakRealmImport", "portcullis-realm");
        JsonNode client = null;
        for (JsonNode c : ri.map(r -> r.at("/spec/realm/clients")).orElse(MissingNode.getInstance())) {
            if (CLIENT.equals(c.path("clientId").asText())) {
                client = c;
            }
        }
        if (client == null) {
            p.add("the realm import has no client " + CLIENT);
            return p;
        }
        List<String> redirects = new ArrayList<>();
        client.path("redirectUris").forEach(u -> redirects.add(u.asText()));
        if (!redirects.equals(List.of(url + "/*"))) {
            p.add("realm import client " + CLIENT + " redirect URIs " + redirects + " are not [" + url + "/*]");
        }
        String logout =
                client.path("attributes").path("post.logout.redirect.uris").asText(null);
        if (!(url + "/*").equals(logout)) {
            p.add("realm import client " + CLIENT + " post-logout redirect URIs " + logout + " are not " + url + "/*");
        }
        String placeholderSecret = ri.get()
                .path("spec")
                .path("placeholders")
                .path(RealmImport.placeholder(CLIENT))
                .path("secret")
                .path("name")
                .asText(null);
        Optional<ObjectNode> d = find(objects, "Deployment", DEPLOYMENT);
        JsonNode secretRef = d.map(
                        x -> env(x, "QUARKUS_OIDC_CREDENTIALS_SECRET").at("/valueFrom/secretKeyRef"))
                .orElse(null);
        if (secretRef == null
                || placeholderSecret == null
                || !placeholderSecret.equals(secretRef.path("name").asText())
                || !"client-secret".equals(secretRef.path("key").asText())) {
            p.add("Deployment " + DEPLOYMENT + " does not read its client secret from the Secret the realm import"
                    + " fills " + CLIENT + "'s secret from (" + placeholderSecret + ", key client-secret)");
        }
        return p;
    }

    private static List<String> deployment(List<ObjectNode> objects) {
        List<String> p = new ArrayList<>();
        Optional<ObjectNode> d = find(objects, "Deployment", DEPLOYMENT);
        if (d.isEmpty()) {
            p.add("no Deployment " + DEPLOYMENT);
            return p;
        }
        String where = "Deployment " + DEPLOYMENT;
        if (!CLIENT.equals(env(d.get(), "QUARKUS_OIDC_CLIENT_ID").path("value").asText())) {
            p.add(where + " does not sign in as " + CLIENT);
        }
        // Secure cookies and https redirect URIs behind the edge-terminating Route: set, not left to a default
        for (String name : List.of(
                "QUARKUS_OIDC_AUTHENTICATION_COOKIE_FORCE_SECURE",
                "QUARKUS_OIDC_AUTHENTICATION_FORCE_REDIRECT_HTTPS_SCHEME")) {
            if (!"true".equals(env(d.get(), name).path("value").asText())) {
                p.add(where + " does not set " + name + "=true");
            }
        }
        for (String name : List.of("PORTCULLIS_BROKER_URL", "PORTCULLIS_RECORDER_URL", "PORTCULLIS_POLICY_URL")) {
            if (!fromConfigMap(env(d.get(), name), ENDPOINTS, name)) {
                p.add(where + " does not take " + name + " from ConfigMap " + ENDPOINTS);
            }
        }
        return p;
    }

    private static List<String> route(List<ObjectNode> objects, String url) {
        List<String> p = new ArrayList<>();
        List<ObjectNode> routes = objects.stream()
                .filter(o -> "Route".equals(o.path("kind").asText())
                        && DEPLOYMENT.equals(o.at("/spec/to/name").asText()))
                .toList();
        if (routes.size() != 1) {
            p.add("expected one Route to Service " + DEPLOYMENT + ", found " + routes.size());
            return p;
        }
        JsonNode r = routes.get(0);
        if (!url.equals("https://" + r.at("/spec/host").asText())) {
            p.add("Route " + r.at("/metadata/name").asText() + " host "
                    + r.at("/spec/host").asText() + " is not " + URL_KEY + " " + url);
        }
        if (!"edge".equals(r.at("/spec/tls/termination").asText())) {
            p.add("Route " + r.at("/metadata/name").asText() + " does not terminate TLS at the edge");
        }
        return p;
    }

    private static boolean fromConfigMap(JsonNode env, String configMap, String key) {
        JsonNode ref = env.at("/valueFrom/configMapKeyRef");
        return configMap.equals(ref.path("name").asText())
                && key.equals(ref.path("key").asText());
    }

    /** The env entry of a Deployment's first container, or a missing node. */
    private static JsonNode env(JsonNode deployment, String name) {
        for (JsonNode e : deployment.at("/spec/template/spec/containers/0/env")) {
            if (name.equals(e.path("name").asText())) {
                return e;
            }
        }
        return MissingNode.getInstance();
    }

    private static Optional<ObjectNode> find(List<ObjectNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText())
                        && name.equals(o.at("/metadata/name").asText()))
                .findFirst();
    }
}
