package dev.portcullis.devstack.cli;

import dev.portcullis.contracts.recording.SigningKeys;
import dev.portcullis.devstack.ChildProcess;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.DevStackException;
import dev.portcullis.devstack.Jdk;
import dev.portcullis.devstack.PostgresServer;
import dev.portcullis.devstack.Readiness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * The Portcullis services and the console run from their packaged {@code target/quarkus-app/quarkus-run.jar},
 * configured for a {@link DevStack} exactly as {@code bin/portcullis up} runs them. `up` uses it with
 * the ports of docs/architecture.md and {@code .portcullis}; end-to-end tests use it with their own directory and
 * free ports, and stop, kill or restart one service to inject faults.
 *
 * <pre>{@code
 * try (PortcullisServices services = PortcullisServices.builder(stack, repoRoot)
 *         .home(dir).ports(PortcullisServices.ServicePorts.free()).connections(file).s3(true).build()) {
 *     services.startAll(Duration.ofMinutes(3));
 *     services.url("identity-broker");
 * }
 * }</pre>
 */
public final class PortcullisServices implements AutoCloseable {

    public static final String POLICY = "policy-service";
    public static final String BROKER = "identity-broker";
    public static final String RECORDER = "recorder-service";
    public static final String PROXY = "session-proxy";
    /** The web console (a client of the realm as portcullis-console, console/README.md). */
    public static final String CONSOLE = "console";

    /** The four services, their module directory, export name (docs/architecture.md "Local dev stack") and database. */
    private record Service(String module, String envName, String database) {}

    /** Start order of `up`: policy first (the proxy asks it), the proxy, then the console (it only calls the APIs). */
    private static final List<Service> SERVICES = List.of(
            new Service(POLICY, "PORTCULLIS_POLICY_URL", "policy"),
            new Service(BROKER, "PORTCULLIS_BROKER_URL", "broker"),
            new Service(RECORDER, "PORTCULLIS_RECORDER_URL", "recorder"),
            new Service(PROXY, null, null),
            new Service(CONSOLE, null, null));

    public static final List<String> MODULES =
            SERVICES.stream().map(Service::module).toList();

    /** Listener ports of the services ({@code proxyHttp}: session-proxy's HTTP/Kubernetes listener). */
    public record ServicePorts(
            int policy,
            int broker,
            int recorder,
            int proxyAdmin,
            int proxyPg,
            int proxySsh,
            int proxyHttp,
            int console) {

        /** The default ports (docs/architecture.md "Ports"), as `up` uses them. */
        public static ServicePorts defaults() {
            return new ServicePorts(8181, 8081, 8082, 8083, 15432, 2222, 8084, 8080);
        }

        /** Ports that were free a moment ago, for tests. */
        public static ServicePorts free() {
            int[] p = java.util.stream.IntStream.generate(dev.portcullis.devstack.Ports::free)
                    .limit(8)
                    .toArray();
            return new ServicePorts(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
        }

        /** The HTTP port of a service (the admin port for session-proxy). */
        public int http(String module) {
            return switch (module) {
                case POLICY -> policy;
                case BROKER -> broker;
                case RECORDER -> recorder;
                case PROXY -> proxyAdmin;
                case CONSOLE -> console;
                default -> throw new DevStackException("unknown service " + module + " (known: " + MODULES + ")");
            };
        }
    }

    private final DevStack stack;
    private final StackLayout layout;
    private final Path workDir;
    private final ServicePorts ports;
    private final Path connections;
    private final boolean s3;
    private final Map<String, Map<String, String>> extraEnv;
    private final List<String> jvmArgs;
    private final Path jdk;
    private final Map<String, ChildProcess> running = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> envs = new LinkedHashMap<>();

    private PortcullisServices(Builder b) {
        this.stack = b.stack;
        this.layout = new StackLayout(
                b.repoRoot.toAbsolutePath().normalize(), b.home.toAbsolutePath().normalize());
        this.workDir =
                b.workDir == null ? layout.root() : b.workDir.toAbsolutePath().normalize();
        this.ports = b.ports;
        this.connections = b.connections;
        this.s3 = b.s3;
        this.extraEnv = b.extraEnv;
        this.jvmArgs = List.copyOf(b.jvmArgs);
        this.jdk = Jdk.find(null);
    }

    public static Builder builder(DevStack stack, Path repoRoot) {
        return new Builder(stack, repoRoot);
    }

    /**
     * The password files of `up`'s demo target, which only session-proxy reads.
     *
     * @param owner {@code demo_app}'s, the owner (write and admin sessions)
     * @param read {@code demo_read}'s, the read-only role (read sessions)
     */
    public record DemoPasswords(Path owner, Path read) {}

    /**
     * Provisions `up`'s demo target ({@code pg-demo}: database {@code demo}, table {@code customers},
     * owner {@code demo_app} and read-only role {@code demo_read}) in the stack's PostgreSQL.
     */
    public static DemoPasswords provisionDemoTarget(PostgresServer pg, Path home) throws IOException {
        DemoTarget.Passwords p = DemoTarget.provision(
                pg,
                new StackLayout(
                        home.toAbsolutePath().normalize(), home.toAbsolutePath().normalize()));
        return new DemoPasswords(p.owner(), p.read());
    }

    /** Starts every service (databases created first) and waits until each one's /q/health/ready is UP. */
    public void startAll(Duration timeout) {
        startAll(timeout, (module, took) -> {});
    }

    /**
     * Like {@link #startAll(Duration)}, telling {@code onReady} about each service as it becomes ready
     * (they start side by side, so not in start order), with the time since its launch.
     */
    public synchronized void startAll(Duration timeout, BiConsumer<String, Duration> onReady) {
        Map<String, Long> launched = new LinkedHashMap<>();
        for (Service s : SERVICES) {
            launched.put(s.module(), System.nanoTime());
            launch(s);
        }
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (String module : launched.keySet()) {
            waits.add(CompletableFuture.runAsync(
                    () -> {
                        awaitReady(module, timeout);
                        onReady.accept(module, Duration.ofNanos(System.nanoTime() - launched.get(module)));
                    },
                    r -> Thread.ofPlatform().daemon().name("await-" + module).start(r)));
        }
        // Done when all are ready, or at the first failure: a service that exited is reported at once.
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        for (CompletableFuture<Void> w : waits) {
            w.whenComplete((v, e) -> {
                if (e != null) {
                    outcome.completeExceptionally(e instanceof CompletionException c ? c.getCause() : e);
                }
            });
        }
        CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> outcome.complete(null));
        try {
            outcome.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof DevStackException d
                    ? d
                    : new DevStackException(String.valueOf(e.getCause()), e);
        }
    }

    /** Starts one stopped service with the environment it had before and waits until it is ready. */
    public synchronized void start(String module, Duration timeout) {
        if (running.containsKey(module)) {
            throw new DevStackException(module + " is already running");
        }
        launch(service(module));
        awaitReady(module, timeout);
    }

    /**
     * Sets (or, with a null value, removes) one environment variable of a service from its next start on: a test
     * restarts a service with different settings, and puts them back afterwards.
     */
    public synchronized void env(String module, String name, String value) {
        Map<String, String> env = envs.computeIfAbsent(module, m -> serviceEnv(service(m)));
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
    }

    /** Stops one service gracefully (SIGTERM, SIGKILL after {@code grace}). */
    public synchronized void stop(String module, Duration grace) {
        ChildProcess p = running.remove(module);
        if (p != null) {
            p.stop(grace);
        }
    }

    /** Kills one service without warning (SIGKILL), as a crash or an OOM kill would. */
    public synchronized void kill(String module) {
        ChildProcess p = running.remove(module);
        if (p != null) {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
            p.stop(Duration.ofSeconds(10)); // reaps it and whatever it started; removes the pid file
        }
    }

    public boolean isRunning(String module) {
        ChildProcess p = running.get(module);
        return p != null && p.isAlive();
    }

    public ServicePorts ports() {
        return ports;
    }

    /** Base URL of a service's HTTP listener (session-proxy: its admin port). */
    public String url(String module) {
        return "http://127.0.0.1:" + ports.http(module);
    }

    public Path log(String module) {
        return layout.log(module);
    }

    /** Every live service process with its descendants (for leak checks). */
    public synchronized List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        for (ChildProcess p : running.values()) {
            ProcessHandle.of(p.pid()).ifPresent(h -> {
                all.add(h);
                h.descendants().forEach(all::add);
            });
        }
        return all;
    }

    /** Stops every service, the proxy first (the reverse of the start order). */
    @Override
    public synchronized void close() {
        for (String module : MODULES.reversed()) {
            stop(module, Duration.ofSeconds(20));
        }
    }

    private void launch(Service s) {
        Map<String, String> env = envs.computeIfAbsent(s.module(), m -> serviceEnv(s));
        Path jar = layout.root().resolve(s.module()).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new DevStackException(
                    s.module() + " is not built (" + jar + " is missing); run ./mvnw package -DskipTests");
        }
        List<String> command = new ArrayList<>(List.of(Jdk.javaBinary(jdk).toString(), "-Xmx384m", "-XX:+UseSerialGC"));
        command.addAll(jvmArgs);
        // -Ddevstack.home names the stack's directory on the command line, so a leak check that looks
        // for it (.ci/run: target/devstack) finds a service that outlived its test run. (Not under
        // portcullis.*: the services' config mappings reject unknown keys there.)
        command.addAll(List.of("-Ddevstack.home=" + layout.home(), "-jar", jar.toString()));
        running.put(
                s.module(),
                ChildProcess.start(s.module(), command, env, workDir, layout.log(s.module()), layout.pid(s.module())));
    }

    private void awaitReady(String module, Duration timeout) {
        int port = ports.http(module);
        Readiness.await(
                module + " on port " + port, running.get(module), port, timeout, () -> ServiceProcess.probe(port));
    }

    /**
     * The key of session-proxy's {@code hash} mask strategy, kept across restarts so that hashes stay comparable, as a
     * shared Kubernetes Secret keeps them for every pod.
     */
    private Path hashKeyFile() {
        return secretFile("masking-hash-key");
    }

    /**
     * The secret session-proxy and the recorder share to tag and check session events (docs/architecture.md
     * "Events", {@code authtag}), as a shared Kubernetes Secret holds it.
     */
    private Path eventAuthKeyFile() {
        return secretFile("session-event-key");
    }

    /**
     * The recorder's Ed25519 signing key (docs/architecture.md "Recordings"), kept so recordings of earlier runs still
     * verify; {@code recording-signing-key.pub} is the file an auditor pins for the offline verifier.
     */
    private Path signingKeyFile() {
        return keyPairFile("recording-signing-key");
    }

    /**
     * identity-broker's Ed25519 key for control events (docs/architecture.md "Events", {@code signature}); session-proxy
     * pins its public key, {@code control-events-signing-key.pub}, and believes only the review approvals signed with
     * it.
     */
    private Path controlEventsKeyFile() {
        return keyPairFile("control-events-signing-key");
    }

    /** A secret of the stack: base64 of 32 random bytes in {@code name}, made once and kept. */
    private Path secretFile(String name) {
        Path file = layout.secrets().resolve(name);
        try {
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                StackLayout.writePrivate(file, Base64.getEncoder().encodeToString(key) + "\n");
            }
        } catch (IOException e) {
            throw new DevStackException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** An Ed25519 key pair of the stack, made once and kept: {@code name.pem} (private), {@code name.pub}. */
    private Path keyPairFile(String name) {
        Path file = layout.secrets().resolve(name + ".pem");
        Path pub = layout.secrets().resolve(name + ".pub");
        try {
            if (!Files.exists(file)) {
                StackLayout.writePrivate(file, SigningKeys.toPem(SigningKeys.generate()));
            }
            if (!Files.exists(pub)) {
                Files.writeString(
                        pub, SigningKeys.publicPem(SigningKeys.readKeyPair(file).getPublic()));
            }
        } catch (IOException e) {
            throw new DevStackException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static Service service(String module) {
        return SERVICES.stream()
                .filter(s -> s.module().equals(module))
                .findFirst()
                .orElseThrow(() -> new DevStackException("unknown service " + module + " (known: " + MODULES + ")"));
    }

    private Map<String, String> serviceEnv(Service s) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(ports.http(s.module())));
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafka().bootstrapServers());
        env.put("QUARKUS_OIDC_AUTH_SERVER_URL", stack.keycloak().issuer());
        // each service is a client of the realm of the same name (keycloak-realm/README.md)
        env.put("QUARKUS_OIDC_CLIENT_ID", s.module());
        env.put("QUARKUS_OIDC_CREDENTIALS_SECRET", s.module() + "-dev-secret");
        env.put("PORTCULLIS_POLICY_CLIENT_SECRET", s.module() + "-dev-secret");
        if (s.module().equals(PROXY)) {
            env.put(
                    "PORTCULLIS_SSH_HOST_KEY_FILE",
                    layout.secrets().resolve("ssh-host-key").toString());
            env.put("PORTCULLIS_MASKING_HASH_KEY_FILE", hashKeyFile().toString());
            env.put("PORTCULLIS_EVENT_AUTH_KEY_FILE", eventAuthKeyFile().toString());
            env.put(
                    "PORTCULLIS_CONTROL_EVENTS_PUBLIC_KEYS",
                    controlEventsKeyFile()
                            .resolveSibling("control-events-signing-key.pub")
                            .toString());
            env.put("PORTCULLIS_PG_PORT", Integer.toString(ports.proxyPg()));
            env.put("PORTCULLIS_SSH_PORT", Integer.toString(ports.proxySsh()));
            env.put("PORTCULLIS_PROXY_HTTP_PORT", Integer.toString(ports.proxyHttp()));
            // the event spool is state, not build output: under the stack's home, where `./mvnw clean` cannot
            // delete events Kafka has not acknowledged yet
            env.put(
                    "PORTCULLIS_EVENTS_SPOOL_DIR",
                    layout.home().resolve("proxy-spool").toString());
        }
        if (s.module().equals(RECORDER)) {
            env.put("PORTCULLIS_EVENT_AUTH_KEY_FILE", eventAuthKeyFile().toString());
            env.put("PORTCULLIS_SIGNING_KEY_FILE", signingKeyFile().toString());
        }
        if (s.module().equals(BROKER)) {
            env.put("PORTCULLIS_BROKER_CLIENT_SECRET", "identity-broker-dev-secret");
            env.put(
                    "PORTCULLIS_CONTROL_EVENTS_SIGNING_KEY_FILE",
                    controlEventsKeyFile().toString());
            env.put("PORTCULLIS_TOKENS_PROXY_PG_PORT", Integer.toString(ports.proxyPg()));
            env.put("PORTCULLIS_TOKENS_PROXY_SSH_PORT", Integer.toString(ports.proxySsh()));
            env.put("PORTCULLIS_TOKENS_PROXY_HTTP_URL", "http://127.0.0.1:" + ports.proxyHttp());
            // the webhook's messages link to the console page that decides a review or an access request
            env.put("PORTCULLIS_CONSOLE_URL", url(CONSOLE));
        }
        if (s.module().equals(CONSOLE)) {
            // the console signs users in as the realm's portcullis-console (keycloak-realm/README.md); on loopback
            // HTTP its cookies cannot be Secure
            env.put("QUARKUS_OIDC_CLIENT_ID", "portcullis-console");
            env.put("QUARKUS_OIDC_CREDENTIALS_SECRET", "portcullis-console-dev-secret-loopback-only");
            env.put("QUARKUS_OIDC_AUTHENTICATION_COOKIE_FORCE_SECURE", "false");
        }
        env.put("PORTCULLIS_KEYCLOAK_URL", stack.keycloak().url());
        env.put("PORTCULLIS_CONNECTIONS_FILE", connections.toString());
        for (Service other : SERVICES) {
            if (other.envName() != null) {
                env.put(other.envName(), url(other.module()));
            }
        }
        if (s.database() != null) {
            PostgresServer pg = stack.postgres();
            String role = "portcullis_" + s.database();
            String password = role + "-dev-password";
            pg.createDatabase(s.database(), role, password);
            env.put("QUARKUS_DATASOURCE_USERNAME", role);
            env.put("QUARKUS_DATASOURCE_PASSWORD", password);
            env.put("QUARKUS_DATASOURCE_JDBC_URL", pg.jdbcUrl(s.database()));
            env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + pg.port() + "/" + s.database());
        }
        if (s3) {
            stack.clientConfig("postgres").forEach((k, v) -> {
                if (k.startsWith("portcullis.s3.")) {
                    env.put(k.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), v);
                }
            });
        } else {
            env.put("PORTCULLIS_RECORDINGS_DIR", layout.recordings().toString());
        }
        env.putAll(extraEnv.getOrDefault(s.module(), Map.of()));
        return env;
    }

    /** How the services are run. */
    public static final class Builder {
        private final DevStack stack;
        private final Path repoRoot;
        private Path home;
        private Path workDir;
        private ServicePorts ports = ServicePorts.defaults();
        private Path connections;
        private boolean s3;
        private final Map<String, Map<String, String>> extraEnv = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>();

        private Builder(DevStack stack, Path repoRoot) {
            this.stack = stack;
            this.repoRoot = repoRoot;
            this.home = repoRoot.resolve(".portcullis");
        }

        /** Where logs, pid files, secrets and filesystem recordings go (`up`: {@code .portcullis}). */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** Working directory of the service processes (default: the repository root, as `up`). */
        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        public Builder ports(ServicePorts ports) {
            this.ports = ports;
            return this;
        }

        /** The connections file (docs/architecture.md "Connections") every service reads. */
        public Builder connections(Path file) {
            this.connections = file;
            return this;
        }

        /** Recordings to the stack's S3Proxy instead of {@code <home>/recordings}. */
        public Builder s3(boolean s3) {
            this.s3 = s3;
            return this;
        }

        /** An extra environment variable for one service, over the ones `up` sets. */
        public Builder env(String module, String name, String value) {
            service(module);
            extraEnv.computeIfAbsent(module, m -> new LinkedHashMap<>()).put(name, value);
            return this;
        }

        /** Extra JVM options for every service (tests: {@code -XX:TieredStopAtLevel=1} starts faster on few cores). */
        public Builder jvmArgs(String... args) {
            jvmArgs.addAll(List.of(args));
            return this;
        }

        public PortcullisServices build() {
            if (connections == null) {
                throw new DevStackException("the services need a connections file");
            }
            return new PortcullisServices(this);
        }
    }
}
