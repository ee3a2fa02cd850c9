package dev.portcullis.devstack;

import dev.portcullis.contracts.Topics;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A set of real dependencies on 127.0.0.1, started on demand and stopped together.
 *
 * <pre>{@code
 * try (DevStack stack = DevStack.builder().build()) {
 *     stack.ensure(Component.POSTGRES, Component.KAFKA);
 *     String url = stack.postgres().jdbcUrl("postgres");
 * }
 * }</pre>
 *
 * Ports are free ones unless fixed with {@link Builder#port}; data lives under the work directory
 * and is thrown away at the next start unless the stack is {@link Builder#persistent persistent}.
 */
public final class DevStack implements AutoCloseable {

    /** The bucket recordings go to in tests and in `up`. */
    public static final String RECORDINGS_BUCKET = "portcullis-recordings";
    /** The topics a stack creates: every topic of the contract and the recorder's dead-letter topics. */
    public static final List<String> TOPICS = Topics.ALL;

    private final Path workDir;
    private final Path cacheDir;
    private final boolean persistent;
    private final Map<Component, Integer> fixedPorts;
    private final String superPassword;
    private final String s3AccessKey;
    private final String s3SecretKey;
    private final String keycloakAdminPassword;
    private final boolean keycloakOnPostgres;
    private final String javaHome;
    private final Duration timeout;
    private final boolean realmTestAgent;
    private final Progress progress;

    /** Ports of components stopped by {@link #stop}, so that {@link #ensure} brings them back at the same address. */
    private final Map<Component, Integer> restartPorts = new EnumMap<>(Component.class);

    private int kafkaControllerPort;

    private volatile PostgresServer postgres;
    private volatile KafkaServer kafka;
    private volatile KeycloakServer keycloak;
    private volatile S3Server s3;

    private DevStack(Builder b) {
        this.workDir = b.workDir;
        this.cacheDir = b.cacheDir;
        this.persistent = b.persistent;
        this.fixedPorts = b.ports;
        this.superPassword = b.superPassword;
        this.s3AccessKey = b.s3AccessKey;
        this.s3SecretKey = b.s3SecretKey;
        this.keycloakAdminPassword = b.keycloakAdminPassword;
        this.keycloakOnPostgres = b.keycloakOnPostgres;
        this.javaHome = b.javaHome;
        this.timeout = b.timeout;
        this.realmTestAgent = b.realmTestAgent;
        this.progress = b.progress;
    }

    /** Told about each component as it passes its readiness probe (the `up` launcher prints it). */
    @FunctionalInterface
    public interface Progress {
        /** {@code took}: from the start of this component (Keycloak: including the wait for its distribution lock). */
        void ready(Component component, Duration took);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts every requested component that is not running yet (PostgreSQL first, then the others
     * side by side) and returns when each has passed its real readiness probe. If one fails, the
     * ones this call started are stopped again and the error names the failing component.
     */
    public synchronized DevStack ensure(Component... components) {
        Set<Component> wanted =
                components.length == 0 ? EnumSet.noneOf(Component.class) : EnumSet.of(components[0], components);
        Path jdk = Jdk.find(javaHome);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            if ((wanted.contains(Component.POSTGRES) || (wanted.contains(Component.KEYCLOAK) && keycloakOnPostgres))
                    && postgres == null) {
                long t0 = System.nanoTime();
                postgres = PostgresServer.start(
                        workDir.resolve("postgres/data"),
                        port(Component.POSTGRES, 0),
                        superPassword,
                        !persistent,
                        log(Component.POSTGRES));
                started.add(postgres);
                progress.ready(Component.POSTGRES, since(t0));
            }
            List<CompletableFuture<AutoCloseable>> parallel = new ArrayList<>();
            if (wanted.contains(Component.KAFKA) && kafka == null) {
                int controllerPort = kafkaControllerPort != 0 ? kafkaControllerPort : Ports.free();
                parallel.add(async(
                        Component.KAFKA,
                        () -> kafka = KafkaServer.start(
                                dir(Component.KAFKA),
                                port(Component.KAFKA, 0),
                                controllerPort,
                                jdk,
                                log(Component.KAFKA),
                                pid(Component.KAFKA),
                                timeout)));
            }
            if (wanted.contains(Component.S3) && s3 == null) {
                parallel.add(async(
                        Component.S3,
                        () -> s3 = S3Server.start(
                                dir(Component.S3),
                                port(Component.S3, 0),
                                s3AccessKey,
                                s3SecretKey,
                                persistent,
                                List.of(RECORDINGS_BUCKET),
                                jdk,
                                log(Component.S3),
                                pid(Component.S3),
                                timeout)));
            }
            if (wanted.contains(Component.KEYCLOAK) && keycloak == null) {
                KeycloakServer.Database db = KeycloakServer.Database.IN_MEMORY;
                if (keycloakOnPostgres) {
                    String password = "keycloak-" + superPassword;
                    postgres.createDatabase("keycloak", "keycloak", password);
                    db = new KeycloakServer.Database(postgres.jdbcUrl("keycloak"), "keycloak", password);
                }
                KeycloakServer.Database database = db;
                parallel.add(async(
                        Component.KEYCLOAK,
                        () -> keycloak = KeycloakServer.start(
                                cacheDir,
                                () -> port(Component.KEYCLOAK, 0),
                                Ports::free,
                                database,
                                jdk,
                                keycloakAdminPassword,
                                log(Component.KEYCLOAK),
                                pid(Component.KEYCLOAK),
                                timeout.multipliedBy(3),
                                realmTestAgent)));
            }
            DevStackException failure = null;
            for (CompletableFuture<AutoCloseable> f : parallel) {
                try {
                    started.add(f.join());
                } catch (CompletionException e) {
                    DevStackException cause = e.getCause() instanceof DevStackException d
                            ? d
                            : new DevStackException(String.valueOf(e.getCause()), e.getCause());
                    if (failure == null) {
                        failure = cause;
                    } else {
                        failure.addSuppressed(cause);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
            return this;
        } catch (RuntimeException e) {
            for (AutoCloseable c : started.reversed()) {
                closeQuietly(c);
            }
            if (started.contains(postgres)) {
                postgres = null;
            }
            if (started.contains(kafka)) {
                kafka = null;
            }
            if (started.contains(s3)) {
                s3 = null;
            }
            if (started.contains(keycloak)) {
                keycloak = null;
            }
            throw e;
        }
    }

    /**
     * Stops one running component but keeps its data and its ports, so that the next
     * {@link #ensure} starts it again at the same address: for tests of an outage in the middle of a
     * session. Only Kafka for now.
     */
    public synchronized void stop(Component c) {
        if (c != Component.KAFKA) {
            throw new DevStackException("only kafka can be stopped and started again, not " + c.id());
        }
        if (kafka != null) {
            restartPorts.put(Component.KAFKA, kafka.port());
            kafkaControllerPort = kafka.controllerPort();
            closeQuietly(kafka);
            kafka = null;
        }
    }

    private CompletableFuture<AutoCloseable> async(Component c, Supplier<AutoCloseable> start) {
        return CompletableFuture.supplyAsync(
                () -> {
                    long t0 = System.nanoTime();
                    AutoCloseable server = start.get();
                    progress.ready(c, since(t0));
                    return server;
                },
                r -> Thread.ofPlatform().name("dev-stack-start").start(r));
    }

    private static Duration since(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime);
    }

    private int port(Component c, int fallback) {
        int p = fixedPorts.getOrDefault(c, restartPorts.getOrDefault(c, fallback));
        if (p == 0) {
            return Ports.free();
        }
        Ports.requireFree(p, c.id(), "PORTCULLIS_" + c.name() + "_PORT");
        return p;
    }

    private Path dir(Component c) {
        return workDir.resolve(c.id());
    }

    public Path logFile(Component c) {
        return workDir.resolve("logs").resolve(c.id() + ".log");
    }

    private Path log(Component c) {
        return logFile(c);
    }

    private Path pid(Component c) {
        return workDir.resolve("run").resolve(c.id() + ".pid");
    }

    public Path workDir() {
        return workDir;
    }

    public PostgresServer postgres() {
        return require(postgres, Component.POSTGRES);
    }

    public KafkaServer kafka() {
        return require(kafka, Component.KAFKA);
    }

    public KeycloakServer keycloak() {
        return require(keycloak, Component.KEYCLOAK);
    }

    public S3Server s3() {
        return require(s3, Component.S3);
    }

    public boolean isRunning(Component c) {
        return switch (c) {
            case POSTGRES -> postgres != null;
            case KAFKA -> kafka != null;
            case KEYCLOAK -> keycloak != null;
            case S3 -> s3 != null;
        };
    }

    private static <T> T require(T server, Component c) {
        if (server == null) {
            throw new DevStackException(c.id() + " is not part of this stack; ask for it with ensure(Component."
                    + c.name() + ") or @WithDevStack");
        }
        return server;
    }

    /** Every process this stack started, with their descendants (for leak checks). */
    public List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        List<Long> roots = new ArrayList<>();
        if (postgres != null) {
            roots.add(postgres.postmasterPid());
        }
        if (kafka != null) {
            roots.add(kafka.pid());
        }
        if (keycloak != null) {
            roots.add(keycloak.pid());
        }
        if (s3 != null) {
            roots.add(s3.pid());
        }
        for (long pid : roots) {
            ProcessHandle.of(pid).ifPresent(h -> {
                all.add(h);
                h.descendants().forEach(all::add);
            });
        }
        return all;
    }

    /**
     * Client settings for the running components, under the keys Quarkus and the Portcullis
     * services read.
     */
    public Map<String, String> clientConfig(String database) {
        Map<String, String> config = new LinkedHashMap<>();
        if (postgres != null) {
            config.put("quarkus.datasource.username", PostgresServer.SUPERUSER);
            config.put("quarkus.datasource.password", postgres.superPassword());
            config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database));
            config.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + postgres.port() + "/" + database);
        }
        if (kafka != null) {
            config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        }
        if (keycloak != null) {
            config.put("quarkus.oidc.auth-server-url", keycloak.issuer());
            config.put("portcullis.keycloak.url", keycloak.url());
        }
        if (s3 != null) {
            config.put("portcullis.s3.endpoint", s3.endpoint());
            config.put("portcullis.s3.region", S3Server.REGION);
            config.put("portcullis.s3.access-key", s3.accessKey());
            config.put("portcullis.s3.secret-key", s3.secretKey());
            config.put("portcullis.s3.bucket", RECORDINGS_BUCKET);
            config.put("portcullis.s3.path-style", "true");
        }
        return config;
    }

    /** Stops everything, newest first. */
    @Override
    public synchronized void close() {
        closeQuietly(keycloak);
        closeQuietly(kafka);
        closeQuietly(s3);
        closeQuietly(postgres);
        keycloak = null;
        kafka = null;
        s3 = null;
        postgres = null;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("dev-stack: " + e.getMessage());
        }
    }

    /** How a stack is set up; test defaults: free ports, fresh data under target/devstack, random secrets. */
    public static final class Builder {
        private Path workDir;
        private Path cacheDir = defaultCacheDir();
        private boolean persistent;
        private final Map<Component, Integer> ports = new EnumMap<>(Component.class);
        private String superPassword = randomSecret();
        private String s3AccessKey = "portcullis-dev";
        private String s3SecretKey = randomSecret();
        private String keycloakAdminPassword = randomSecret();
        private boolean keycloakOnPostgres;
        private String javaHome;
        private Duration timeout = Duration.ofSeconds(90);
        private boolean realmTestAgent = true;
        private Progress progress = (c, took) -> {};

        private Builder() {
            // a letter between date and time: "20261205-092517" reads as a 14-digit card number that passes Luhn, and
            // the proxy rightly masks it in a recorded command naming a file under this directory
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"));
            workDir = Path.of("target", "devstack", stamp + "-" + randomSecret().substring(0, 6))
                    .toAbsolutePath();
        }

        public Builder workDir(Path dir) {
            this.workDir = dir.toAbsolutePath();
            return this;
        }

        /** Where the Keycloak distribution is unpacked (kept between runs). */
        public Builder cacheDir(Path dir) {
            this.cacheDir = dir.toAbsolutePath();
            return this;
        }

        /** Keep data between starts (the `up` launcher); tests start from empty servers. */
        public Builder persistent(boolean persistent) {
            this.persistent = persistent;
            return this;
        }

        /** A fixed port instead of a free one; fails clearly at start if it is taken. */
        public Builder port(Component component, int port) {
            ports.put(component, port);
            return this;
        }

        public Builder postgresSuperuserPassword(String password) {
            this.superPassword = password;
            return this;
        }

        public Builder s3Credentials(String accessKey, String secretKey) {
            this.s3AccessKey = accessKey;
            this.s3SecretKey = secretKey;
            return this;
        }

        public Builder keycloakAdminPassword(String password) {
            this.keycloakAdminPassword = password;
            return this;
        }

        /** Keycloak stores its data in the stack's PostgreSQL (so agents survive a restart) instead of memory. */
        public Builder keycloakOnPostgres(boolean onPostgres) {
            this.keycloakOnPostgres = onPostgres;
            return this;
        }

        /** The JDK 21+ to run child JVMs with (default: this JVM, else one found in /usr/lib/jvm). */
        public Builder javaHome(String javaHome) {
            this.javaHome = javaHome;
            return this;
        }

        /** Readiness timeout per component (Keycloak gets three times this). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Whether Keycloak's realm gets the {@code demo-agent} client of keycloak-realm/test-demo-agent.json
         * (default: yes, for the services' own tests, which run without an identity-broker). `up` and the
         * journey suite say no: there identity-broker registers demo-agent like any agent.
         */
        public Builder realmTestAgent(boolean include) {
            this.realmTestAgent = include;
            return this;
        }

        /** Called as each component becomes ready, from the thread that started it. */
        public Builder progress(Progress progress) {
            this.progress = progress;
            return this;
        }

        public DevStack build() {
            return new DevStack(this);
        }

        private static Path defaultCacheDir() {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base =
                    xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            return base.resolve("portcullis");
        }
    }

    static String randomSecret() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
