package dev.portcullis.it.journey;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.PostgresServer;
import dev.portcullis.devstack.ReadOnlyRole;
import dev.portcullis.devstack.cli.PortcullisServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The whole suite for the journey tests, started once per test JVM: real PostgreSQL, Kafka,
 * Keycloak and S3Proxy from dev-stack, and the four services and the console as their packaged
 * {@code quarkus-run.jar} in separate processes, configured the way {@code bin/portcullis up}
 * configures them but on free ports and under {@code integration-tests/target/devstack/<run>}.
 *
 * <p>Targets, all tagged {@code env: prod}: {@code pg-demo} (up's demo database), {@code pg-prod}, a
 * second database {@code app} owned by {@code app_rw} with customers (e-mails, card numbers) and
 * orders. Both have per-level credentials as `up` gives them: read sessions log in as a read-only
 * role ({@code demo_read}, {@code app_read}: dev-stack's {@code ReadOnlyRole}), write and admin
 * sessions as the owner; {@code ssh-prod}, a real OpenSSH sshd ({@link SshTarget}); {@code k8s-prod}, fabric8's mock
 * Kubernetes API server behind TLS ({@link KubeTarget}, the one component that is not the real
 * thing). Only session-proxy reads their credentials. session-proxy's HTTP/Kubernetes listener speaks
 * TLS with a certificate of this run ({@link #proxyCa()}), since kubectl sends tokens only over TLS.
 */
public final class PortcullisSuite implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PortcullisSuite.class.getName());

    public static final String PROD = "pg-prod";
    public static final String SSH = "ssh-prod";
    public static final String K8S = "k8s-prod";
    /** A plain {@code type: http} connection to the same API server: HTTP without the Kubernetes reading. */
    public static final String WEB = "web-prod";

    public static final String PROD_DATABASE = "app";
    static final String PROD_ROLE = "app_rw";
    static final String PROD_READ_ROLE = "app_read";

    /** The seed rows of pg-prod's customers: (name, e-mail, card number). Card numbers are published test numbers. */
    public static final List<List<String>> CUSTOMERS = List.of(
            List.of("Ada Lovelace", "ada.lovelace@example.com", "4111111111111111"),
            List.of("Alan Turing", "alan.turing@example.org", "5555555555554444"),
            List.of("Grace Hopper", "grace.hopper@example.net", "378282246310005"),
            List.of("Edsger Dijkstra", "edsger@example.com", "6011111111111117"),
            List.of("Barbara Liskov", "barbara.liskov@example.org", "4012888888881881"));

    /** The e-mails and card numbers of {@link #CUSTOMERS}: no agent may see them, no recording may hold them. */
    public static Set<String> sensitiveCustomerValues() {
        Set<String> values = new LinkedHashSet<>();
        for (List<String> c : CUSTOMERS) {
            values.add(c.get(1));
            values.add(c.get(2));
        }
        return values;
    }

    private final DevStack stack;
    private final PortcullisServices services;
    private final Path home;
    private final String prodPassword;
    private final Targets targets;
    private final long startSeconds;

    /** The SSH and Kubernetes targets and the proxy's TLS certificate, which live in this JVM or as its children. */
    private record Targets(SshTarget ssh, KubeTarget kube, SelfSignedTls proxyTls) implements AutoCloseable {
        @Override
        public void close() {
            if (kube != null) {
                kube.close();
            }
            if (ssh != null) {
                ssh.close();
            }
        }
    }

    private PortcullisSuite(
            DevStack stack,
            PortcullisServices services,
            Path home,
            String prodPassword,
            Targets targets,
            long startSeconds) {
        this.stack = stack;
        this.services = services;
        this.home = home;
        this.prodPassword = prodPassword;
        this.targets = targets;
        this.startSeconds = startSeconds;
    }

    /** Starts everything; on failure stops whatever was started and rethrows. */
    static PortcullisSuite start() throws IOException {
        long t0 = System.nanoTime();
        Path repoRoot = Path.of(System.getProperty("portcullis.root", ".."))
                .toAbsolutePath()
                .normalize();
        // as in `up`: no demo-agent from the realm export; agents are registered through the broker
        DevStack stack = DevStack.builder()
                .timeout(Duration.ofSeconds(150))
                .realmTestAgent(false)
                .build();
        PortcullisServices services = null;
        SshTarget ssh = null;
        KubeTarget kube = null;
        try {
            stack.ensure(Component.POSTGRES, Component.KAFKA, Component.KEYCLOAK, Component.S3);
            Path home = stack.workDir().resolve("portcullis");
            Path secrets = home.resolve("secrets");
            PostgresServer pg = stack.postgres();
            PortcullisServices.DemoPasswords demoPasswords = PortcullisServices.provisionDemoTarget(pg, home);
            String prodPassword = "prod-" + UUID.randomUUID();
            Path prodPasswordFile = writePrivate(secrets.resolve(PROD + ".password"), prodPassword);
            String prodReadPassword = "prod-read-" + UUID.randomUUID();
            Path prodReadPasswordFile = writePrivate(secrets.resolve(PROD + "-read.password"), prodReadPassword);
            provisionProd(pg, prodPassword);
            ReadOnlyRole.provision(pg, PROD_DATABASE, PROD_ROLE, PROD_READ_ROLE, prodReadPassword);
            long targetsStart = System.nanoTime();
            ssh = SshTarget.start(home.resolve("ssh-target"), secrets);
            kube = KubeTarget.start(home.resolve("kube-target"), secrets);
            SelfSignedTls proxyTls = SelfSignedTls.create(secrets.resolve("proxy-tls"), "session-proxy");
            long targetsMillis = (System.nanoTime() - targetsStart) / 1_000_000L;
            LOG.info("SSH and Kubernetes targets ready in " + targetsMillis + " ms: " + ssh + ", " + kube);
            Path connections =
                    writeConnections(home, pg.port(), demoPasswords, prodPasswordFile, prodReadPasswordFile, ssh, kube);
            stack.kafka().createTopics(DevStack.TOPICS, 3);
            PortcullisServices.ServicePorts ports = PortcullisServices.ServicePorts.free();
            services = PortcullisServices.builder(stack, repoRoot)
                    .home(home)
                    .workDir(home)
                    .ports(ports)
                    .connections(connections)
                    .s3(true)
                    // C1 only: a third less CPU to start four JVMs on two shared cores; these tests are short
                    .jvmArgs("-XX:TieredStopAtLevel=1")
                    // the recorder finalizes a closed session at its next sweep: 1 s instead of 5 s
                    .env(PortcullisServices.RECORDER, "PORTCULLIS_INGEST_SWEEP_INTERVAL", "1s")
                    .env(
                            PortcullisServices.RECORDER,
                            "PORTCULLIS_STAGING_DIR",
                            home.resolve("recorder-staging").toString())
                    .env(
                            PortcullisServices.PROXY,
                            "PORTCULLIS_EVENTS_SPOOL_DIR",
                            home.resolve("proxy-spool").toString())
                    // the HTTP/Kubernetes listener with TLS, as in production (kubectl sends tokens only over TLS)
                    .env(
                            PortcullisServices.PROXY,
                            "PORTCULLIS_HTTP_CERT_FILE",
                            proxyTls.certificate().toString())
                    .env(
                            PortcullisServices.PROXY,
                            "PORTCULLIS_HTTP_KEY_FILE",
                            proxyTls.privateKey().toString())
                    .env(
                            PortcullisServices.BROKER,
                            "PORTCULLIS_TOKENS_PROXY_HTTP_URL",
                            "https://127.0.0.1:" + ports.proxyHttp())
                    .build();
            services.startAll(Duration.ofSeconds(240));
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            LOG.info(() -> "Portcullis suite ready in " + seconds + " s under " + home);
            return new PortcullisSuite(stack, services, home, prodPassword, new Targets(ssh, kube, proxyTls), seconds);
        } catch (IOException | RuntimeException | Error e) {
            if (services != null) {
                services.close();
            }
            new Targets(ssh, kube, null).close();
            stack.close();
            throw e;
        }
    }

    private static void provisionProd(PostgresServer pg, String password) {
        pg.createDatabase(PROD_DATABASE, PROD_ROLE, password);
        StringBuilder seed = new StringBuilder("INSERT INTO customers (name, email, card_number) VALUES ");
        for (int i = 0; i < CUSTOMERS.size(); i++) {
            List<String> c = CUSTOMERS.get(i);
            seed.append(i == 0 ? "" : ", ")
                    .append("('")
                    .append(c.get(0))
                    .append("', '")
                    .append(c.get(1))
                    .append("', '")
                    .append(c.get(2))
                    .append("')");
        }
        pg.execute(
                PROD_DATABASE,
                "SET ROLE " + PROD_ROLE,
                "CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text NOT NULL,"
                        + " card_number text NOT NULL)",
                seed.toString(),
                "CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id),"
                        + " amount numeric(10,2) NOT NULL, stale boolean NOT NULL DEFAULT false)",
                "INSERT INTO orders (customer_id, amount, stale) SELECT 1 + (g % 5), g * 10.5, g > 3"
                        + " FROM generate_series(1, 8) g");
    }

    private static Path writeConnections(
            Path home,
            int pgPort,
            PortcullisServices.DemoPasswords demoPasswords,
            Path prodPassword,
            Path prodReadPassword,
            SshTarget ssh,
            KubeTarget kube)
            throws IOException {
        Path file = home.resolve("config/connections.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(
                file,
                """
                # Written by the journey tests (PortcullisSuite); dev only.
                connections:
                  pg-demo:
                    type: postgres
                    address: 127.0.0.1:%1$d
                    database: demo
                    credentials:
                      read: { username: demo_read, passwordFile: %16$s }
                      write: { username: demo_app, passwordFile: %2$s }
                      admin: { username: demo_app, passwordFile: %2$s }
                    accessLevels: [read, write, admin]
                    tags: { env: prod }
                    maxSessionDuration: PT1H
                  %3$s:
                    type: postgres
                    address: 127.0.0.1:%1$d
                    database: %4$s
                    credentials:
                      read: { username: %17$s, passwordFile: %18$s }
                      write: { username: %5$s, passwordFile: %6$s }
                      admin: { username: %5$s, passwordFile: %6$s }
                    accessLevels: [read, write, admin]
                    tags: { env: prod }
                    maxSessionDuration: PT1H
                  %7$s:
                    type: ssh
                    address: 127.0.0.1:%8$d
                    credentials:
                      read: { username: %19$s, privateKeyFile: %20$s }
                      write: { username: %9$s, privateKeyFile: %10$s }
                      admin: { username: %9$s, privateKeyFile: %10$s }
                    knownHosts: %11$s
                    accessLevels: [read, write, admin]
                    tags: { env: prod }
                    maxSessionDuration: PT1H
                  %12$s:
                    type: kubernetes
                    address: %13$s
                    credentials: { tokenFile: %14$s }
                    tls: { caFile: %15$s }
                    accessLevels: [read, write, admin]
                    tags: { env: prod }
                    maxSessionDuration: PT1H
                """.formatted(
                                        pgPort,
                                        demoPasswords.owner(),
                                        PROD,
                                        PROD_DATABASE,
                                        PROD_ROLE,
                                        prodPassword,
                                        SSH,
                                        ssh.port(),
                                        SshTarget.user(),
                                        ssh.clientKey(),
                                        ssh.knownHosts(),
                                        K8S,
                                        kube.address(),
                                        kube.serviceAccountTokenFile(),
                                        kube.caFile(),
                                        demoPasswords.read(),
                                        PROD_READ_ROLE,
                                        prodReadPassword,
                                        ssh.readUser(),
                                        ssh.readKey())
                        + """
                  %1$s:
                    type: http
                    address: %2$s
                    credentials: { tokenFile: %3$s }
                    tls: { caFile: %4$s }
                    accessLevels: [read, write, admin]
                    tags: { env: prod }
                    maxSessionDuration: PT1H
                """.formatted(WEB, kube.address(), kube.serviceAccountTokenFile(), kube.caFile()));
        return file;
    }

    private static Path writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
        return file;
    }

    public DevStack stack() {
        return stack;
    }

    public PortcullisServices services() {
        return services;
    }

    public Path home() {
        return home;
    }

    public long startSeconds() {
        return startSeconds;
    }

    public String keycloakUrl() {
        return stack.keycloak().url();
    }

    public String brokerUrl() {
        return services.url(PortcullisServices.BROKER);
    }

    public String recorderUrl() {
        return services.url(PortcullisServices.RECORDER);
    }

    /** The web console (console/), on loopback HTTP. */
    public String consoleUrl() {
        return services.url(PortcullisServices.CONSOLE);
    }

    public int proxyPgPort() {
        return services.ports().proxyPg();
    }

    /** session-proxy's SSH listener. */
    public int proxySshPort() {
        return services.ports().proxySsh();
    }

    /** session-proxy's HTTP/Kubernetes listener (TLS with {@link #proxyCa()}). */
    public int proxyHttpsPort() {
        return services.ports().proxyHttp();
    }

    /** The certificate of session-proxy's HTTP/Kubernetes listener (self-signed: its own CA). */
    public Path proxyCa() {
        return targets.proxyTls().certificate();
    }

    SshTarget sshTarget() {
        return targets.ssh();
    }

    KubeTarget kubeTarget() {
        return targets.kube();
    }

    /** The backend password of pg-prod: it must never reach an agent or a recording. */
    public String prodBackendPassword() {
        return prodPassword;
    }

    /** A direct connection to pg-prod's database as the superuser, bypassing Portcullis: the test's own view. */
    public Connection prodDatabase() throws SQLException {
        return stack.postgres()
                .connect(
                        PROD_DATABASE,
                        PostgresServer.SUPERUSER,
                        stack.postgres().superPassword());
    }

    /** Services first, then the targets and the dependencies; every process this suite started is gone afterwards. */
    @Override
    public void close() {
        services.close();
        targets.close();
        stack.close();
        LOG.info("Portcullis suite stopped");
    }
}
