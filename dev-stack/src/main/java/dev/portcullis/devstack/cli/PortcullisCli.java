package dev.portcullis.devstack.cli;

import dev.portcullis.devstack.ChildProcess;
import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.DevStackException;
import dev.portcullis.devstack.KafkaServer;
import dev.portcullis.devstack.KeycloakServer;
import dev.portcullis.devstack.Ports;
import dev.portcullis.devstack.PostgresServer;
import dev.portcullis.devstack.Readiness;
import dev.portcullis.devstack.S3Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The `bin/portcullis` launcher: {@code up [--s3]}, {@code await}, {@code down}, {@code status},
 * {@code env}. `up` runs in the foreground until interrupted (bin/portcullis puts it in the
 * background for `up -d` and waits with `await`); everything it starts is stopped when it ends.
 */
public final class PortcullisCli {

    /** The four services on their default ports (docs/architecture.md "Ports"). */
    private static final PortcullisServices.ServicePorts PORTS = PortcullisServices.ServicePorts.defaults();

    // DEV-ONLY credentials of the local stack; printed by `env` and never used outside `up`.
    private static final String PG_SUPERUSER_PASSWORD = "portcullis-dev-postgres";
    private static final String KEYCLOAK_ADMIN_PASSWORD = "admin-dev-password";
    private static final String S3_ACCESS_KEY = "portcullis-dev";
    private static final String S3_SECRET_KEY = "portcullis-dev-s3-secret";

    private final StackLayout layout;

    private PortcullisCli(StackLayout layout) {
        this.layout = layout;
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("portcullis.root", "."));
        PortcullisCli cli = new PortcullisCli(StackLayout.of(root));
        String command = args.length == 0 ? "help" : args[0];
        List<String> rest = List.of(args).subList(Math.min(1, args.length), args.length);
        try {
            int exit = switch (command) {
                case "up" -> cli.up(rest.contains("--s3"));
                case "await" -> cli.awaitReady();
                case "down" -> cli.down();
                case "status" -> cli.status();
                case "env" -> cli.env();
                default -> {
                    System.err.println("usage: portcullis up [-d] [--s3] | down | status | logs <component> | env");
                    yield 2;
                }
            };
            System.exit(exit);
        } catch (DevStackException | IOException e) {
            System.err.println("portcullis " + command + ": " + e.getMessage());
            System.exit(1);
        }
    }

    // ---------------------------------------------------------------- up

    private int up(boolean withS3) throws IOException {
        long t0 = System.nanoTime();
        Long running = livePid(layout.supervisorPid());
        if (running != null && running != ProcessHandle.current().pid()) {
            throw new DevStackException(
                    "the stack is already up (launcher pid " + running + "); run bin/portcullis down first");
        }
        Files.createDirectories(layout.run());
        Files.writeString(
                layout.supervisorPid(), Long.toString(ProcessHandle.current().pid()));
        layout.writeState("starting");
        Files.deleteIfExists(layout.summary());
        Files.deleteIfExists(layout.progress());
        StepPrinter steps = new StepPrinter(layout.progress(), t0);

        Map<Component, Integer> ports = new LinkedHashMap<>();
        ports.put(Component.POSTGRES, envPort("PORTCULLIS_POSTGRES_PORT", 5433));
        ports.put(Component.KAFKA, envPort("PORTCULLIS_KAFKA_PORT", 9092));
        ports.put(Component.KEYCLOAK, envPort("PORTCULLIS_KEYCLOAK_PORT", 8180));
        ports.put(Component.S3, envPort("PORTCULLIS_S3_PORT", 9300));
        // Fail before starting anything when a port is taken, naming the port and the component; the state says so,
        // so that `up -d`'s await reports it at once.
        try {
            for (String module : PortcullisServices.MODULES) {
                Ports.requireFree(PORTS.http(module), module, null);
            }
            for (int p : List.of(PORTS.proxyPg(), PORTS.proxySsh(), PORTS.proxyHttp())) {
                Ports.requireFree(p, "session-proxy", null);
            }
        } catch (DevStackException e) {
            layout.writeFailed(e);
            Files.deleteIfExists(layout.supervisorPid());
            throw e;
        }
        DevStack.Builder builder = DevStack.builder()
                .workDir(layout.home())
                .persistent(true)
                .keycloakOnPostgres(true)
                .postgresSuperuserPassword(PG_SUPERUSER_PASSWORD)
                .keycloakAdminPassword(KEYCLOAK_ADMIN_PASSWORD)
                .s3Credentials(S3_ACCESS_KEY, S3_SECRET_KEY)
                .timeout(Duration.ofSeconds(120))
                // demo-agent is registered through identity-broker below, like every real agent
                .realmTestAgent(false)
                .progress((c, took) -> steps.ready(c.id(), took, address(c, ports.get(c))));
        ports.forEach(builder::port);
        DevStack stack = builder.build();
        List<PortcullisServices> services = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("portcullis: stopping services and dependencies");
                            services.forEach(PortcullisServices::close);
                            stack.close();
                            try {
                                layout.writeState("stopped");
                                Files.deleteIfExists(layout.supervisorPid());
                                Files.deleteIfExists(layout.endpoints());
                            } catch (IOException ignored) {
                                // nothing left to clean up that `down` would not
                            }
                            stopped.countDown();
                        },
                        "portcullis-down"));

        try {
            List<Component> wanted = new ArrayList<>(List.of(Component.POSTGRES, Component.KAFKA, Component.KEYCLOAK));
            if (withS3) {
                wanted.add(Component.S3);
            }
            steps.note("starting " + wanted.stream().map(Component::id).collect(Collectors.joining(", "))
                    + " (Keycloak takes longest; its very first start also unpacks and builds it)");
            stack.ensure(wanted.toArray(Component[]::new));
            PostgresServer pg = stack.postgres();
            DemoTarget.Passwords demoPasswords = DemoTarget.provision(pg, layout);
            Path connections = DemoTarget.writeConnections(layout, pg.port(), demoPasswords);
            steps.done(
                    "demo target",
                    DemoTarget.CONNECTION + ": database " + DemoTarget.DATABASE + ", table customers; read sessions as "
                            + DemoTarget.READ_ROLE + " (read-only), write and admin as " + DemoTarget.ROLE);
            stack.kafka().createTopics(DevStack.TOPICS, 3);
            steps.done("kafka topics", String.join(", ", DevStack.TOPICS));
            Files.createDirectories(layout.recordings());

            Properties endpoints = endpoints(stack, withS3);
            PortcullisServices suite = PortcullisServices.builder(stack, layout.root())
                    .home(layout.home())
                    .ports(PORTS)
                    .connections(connections)
                    .s3(withS3)
                    .build();
            services.add(suite);
            steps.note("starting " + String.join(", ", PortcullisServices.MODULES));
            suite.startAll(
                    Duration.ofSeconds(120),
                    (module, took) -> steps.ready(module, took, "http://127.0.0.1:" + PORTS.http(module)));
            DemoAgent.Result demo = new DemoAgent(
                            stack.keycloak().url(),
                            suite.url(PortcullisServices.BROKER),
                            DemoAgent.secretFile(layout),
                            KEYCLOAK_ADMIN_PASSWORD)
                    .ensure(Duration.ofSeconds(30));
            steps.done(DemoAgent.NAME, demo.outcome() + "; the broker mints its session tokens");
            layout.writeEndpoints(endpoints);
            double seconds = (System.nanoTime() - t0) / 1e9;
            String summary = summary(endpoints, seconds);
            Files.writeString(layout.summary(), summary);
            layout.writeState("ready");
            System.out.println(summary);
        } catch (RuntimeException | IOException e) {
            layout.writeFailed(e);
            System.err.println("portcullis up: " + e.getMessage());
            System.exit(1); // runs the shutdown hook: everything started so far is stopped
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static String address(Component c, Integer port) {
        return switch (c) {
            case KEYCLOAK, S3 -> "http://127.0.0.1:" + port;
            default -> "127.0.0.1:" + port;
        };
    }

    private static int envPort(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    private Properties endpoints(DevStack stack, boolean withS3) {
        Properties p = new Properties();
        p.setProperty("postgres.port", Integer.toString(stack.postgres().port()));
        p.setProperty("postgres.superuser.password", PG_SUPERUSER_PASSWORD);
        p.setProperty("kafka.bootstrap", stack.kafka().bootstrapServers());
        p.setProperty("keycloak.url", stack.keycloak().url());
        p.setProperty("keycloak.admin.password", KEYCLOAK_ADMIN_PASSWORD);
        p.setProperty("s3.url", withS3 ? stack.s3().endpoint() : "");
        p.setProperty("recordings.dir", withS3 ? "" : layout.recordings().toString());
        for (String module : PortcullisServices.MODULES) {
            p.setProperty("service." + module, "http://127.0.0.1:" + PORTS.http(module));
        }
        return p;
    }

    private String summary(Properties p, double seconds) {
        return """

                Portcullis is up: every component passed its readiness check in %.1f s.

                  Keycloak (realm portcullis)  %s   (master admin: admin / %s, dev only)
                  identity-broker              http://127.0.0.1:8081
                  policy-service               http://127.0.0.1:8181
                  recorder-service             http://127.0.0.1:8082   (recordings: %s)
                  session-proxy                http://127.0.0.1:8083   (PostgreSQL listener 127.0.0.1:15432)
                  console                      http://127.0.0.1:8080   (sign in as bob-approver / bob-dev-password, dev only)
                  PostgreSQL                   127.0.0.1:%s   (demo target pg-demo = database demo)
                  Kafka                        %s

                Try it: demo-agent (managed by identity-broker, standing read on pg-demo) logs in to Keycloak,
                the broker mints its session token, and plain psql uses it (dev-only credentials: `bin/portcullis env`):

                  eval "$(bin/portcullis env)"
                  json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
                  AGENT_TOKEN=$(curl -s "$PORTCULLIS_KEYCLOAK_URL/realms/$PORTCULLIS_REALM/protocol/openid-connect/token" \\
                      -d grant_type=client_credentials \\
                      -d client_id="$PORTCULLIS_DEMO_AGENT_ID" -d client_secret="$PORTCULLIS_DEMO_AGENT_SECRET" | json access_token)
                  export PGPASSWORD=$(curl -s -X POST "$PORTCULLIS_BROKER_URL/v1/tokens" -H "Authorization: Bearer $AGENT_TOKEN" \\
                      -H 'Content-Type: application/json' -d '{"connection":"pg-demo","access":"read"}' | json access_token)
                  psql "host=127.0.0.1 port=15432 dbname=pg-demo user=demo-agent" -c 'SELECT name, email, card_number FROM customers'

                The whole tour (register an agent, masking, JIT write access, a held DELETE, the recording, the
                kill switch): bin/quick-tour

                Logs: bin/portcullis logs <component>   Stop: bin/portcullis down (or Ctrl-C when run without -d)
                """.formatted(
                        seconds,
                        p.getProperty("keycloak.url"),
                        KEYCLOAK_ADMIN_PASSWORD,
                        p.getProperty("s3.url").isEmpty() ? p.getProperty("recordings.dir") : p.getProperty("s3.url"),
                        p.getProperty("postgres.port"),
                        p.getProperty("kafka.bootstrap"));
    }

    // ---------------------------------------------------------------- await (for up -d)

    private int awaitReady() throws IOException {
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        StepPrinter.Follower progress = new StepPrinter.Follower(layout.progress());
        int deadWhileStarting = 0;
        while (System.nanoTime() < deadline) {
            String state = layout.readState();
            progress.printNew(System.out);
            if (state.equals("ready")) {
                System.out.println(Files.readString(layout.summary()));
                return 0;
            }
            if (state.startsWith("failed")) {
                System.err.println(
                        "portcullis up -d: " + state + System.lineSeparator() + "see " + layout.log("launcher"));
                return 1;
            }
            // "starting" is written before the launcher runs, and its pid file names `setsid` for a moment: a launcher
            // is taken for dead in that state only when it stays so for 3 s (it died before writing another state)
            boolean dead = livePid(layout.supervisorPid()) == null;
            deadWhileStarting = dead && state.equals("starting") ? deadWhileStarting + 1 : 0;
            if (dead && (!state.equals("starting") || deadWhileStarting >= 6)) {
                System.err.println(
                        "portcullis up -d: the launcher exited; last lines of " + layout.log("launcher") + ":");
                System.err.println(tail(layout.log("launcher")));
                return 1;
            }
            sleep(500);
        }
        System.err.println("portcullis up -d: not ready after 6 minutes; see bin/portcullis status and logs");
        return 1;
    }

    // ---------------------------------------------------------------- down

    private int down() throws IOException {
        int stopped = 0;
        Long launcher = livePid(layout.supervisorPid());
        if (launcher != null) {
            // The launcher's shutdown hook stops services and dependencies in order.
            ChildProcess.stopTree(ProcessHandle.of(launcher).orElseThrow(), Duration.ofSeconds(90));
            stopped++;
        }
        // Whatever survived a killed launcher: every recorded pid, and PostgreSQL's postmaster.
        List<Path> pidFiles = new ArrayList<>();
        if (Files.isDirectory(layout.run())) {
            try (Stream<Path> files = Files.list(layout.run())) {
                files.filter(f -> f.toString().endsWith(".pid")).forEach(pidFiles::add);
            }
        }
        pidFiles.add(layout.home().resolve("postgres/data/postmaster.pid"));
        for (Path pidFile : pidFiles) {
            Long pid = livePid(pidFile);
            if (pid != null) {
                ChildProcess.stopTree(ProcessHandle.of(pid).orElseThrow(), Duration.ofSeconds(30));
                stopped++;
            }
            if (!pidFile.getFileName().toString().equals("postmaster.pid")) {
                Files.deleteIfExists(pidFile);
            }
        }
        Files.deleteIfExists(layout.endpoints());
        if (Files.isDirectory(layout.run())) {
            layout.writeState("stopped");
        }
        System.out.println(stopped == 0 ? "portcullis: nothing was running" : "portcullis: stopped");
        return 0;
    }

    /** The pid in {@code pidFile} if that process is alive and is one of ours (a JVM, postgres or a script). */
    private static Long livePid(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) {
                return null;
            }
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(h -> {
                        String cmd = h.info().command().orElse("");
                        return cmd.isEmpty() || cmd.contains("java") || cmd.contains("postgres") || cmd.endsWith("sh");
                    })
                    .map(ProcessHandle::pid)
                    .orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- status

    private int status() throws IOException {
        if (!Files.exists(layout.endpoints())) {
            String state = layout.readState();
            System.out.println(
                    "portcullis: not up" + (state.isEmpty() || state.equals("stopped") ? "" : " (" + state + ")"));
            return 3;
        }
        Properties p = layout.readEndpoints();
        Map<String, Readiness.Probe> probes = new LinkedHashMap<>();
        probes.put("postgres", () -> {
            try (Connection c = DriverManager.getConnection(
                            "jdbc:postgresql://127.0.0.1:" + p.getProperty("postgres.port") + "/demo?connectTimeout=3",
                            PostgresServer.SUPERUSER,
                            p.getProperty("postgres.superuser.password"));
                    var rs = c.createStatement().executeQuery("SELECT count(*) FROM customers")) {
                rs.next();
            }
        });
        probes.put("kafka", () -> KafkaServer.probe(p.getProperty("kafka.bootstrap")));
        probes.put("keycloak", () -> KeycloakServer.probe(p.getProperty("keycloak.url")));
        if (!p.getProperty("s3.url", "").isEmpty()) {
            probes.put("s3", () -> {
                try (S3Client s3 = S3Server.client(p.getProperty("s3.url"), S3_ACCESS_KEY, S3_SECRET_KEY)) {
                    S3Server.probe(s3, DevStack.RECORDINGS_BUCKET);
                }
            });
        }
        for (String module : PortcullisServices.MODULES) {
            probes.put(module, () -> ServiceProcess.probe(PORTS.http(module)));
        }
        boolean allReady = true;
        for (Map.Entry<String, Readiness.Probe> e : probes.entrySet()) {
            long t = System.nanoTime();
            String result;
            try {
                e.getValue().check();
                result = "ready";
            } catch (Exception ex) {
                allReady = false;
                result = "NOT READY: " + ex.getMessage();
            }
            System.out.printf(
                    "%-18s %-8s %s%n", e.getKey(), "%dms".formatted((System.nanoTime() - t) / 1_000_000), result);
        }
        return allReady ? 0 : 1;
    }

    // ---------------------------------------------------------------- env

    private int env() throws IOException {
        Properties p = new Properties();
        if (Files.exists(layout.endpoints())) {
            p = layout.readEndpoints();
        } else {
            System.err.println("portcullis env: the stack is not up; printing the defaults `up` would use");
            p.setProperty("keycloak.url", "http://127.0.0.1:8180");
            p.setProperty("kafka.bootstrap", "127.0.0.1:9092");
            p.setProperty("s3.url", "");
        }
        StringBuilder out = new StringBuilder();
        out.append("# Portcullis local stack (bin/portcullis up). Addresses:\n");
        addresses(p.getProperty("keycloak.url"), p.getProperty("kafka.bootstrap"), p.getProperty("s3.url", ""), PORTS)
                .forEach((k, v) -> export(out, k, v));
        out.append("# DEV-ONLY credentials: published in keycloak-realm/README.md, valid only for this local stack.\n");
        out.append("# Never use them, or this realm export, outside `bin/portcullis up`.\n");
        String demoSecret = DemoAgent.storedSecret(layout);
        if (demoSecret == null) {
            out.append("# PORTCULLIS_DEMO_AGENT_SECRET: none yet; `bin/portcullis up` registers demo-agent\n");
        } else {
            out.append("# DEV ONLY: demo-agent's secret, issued by identity-broker at `up` (kept in ")
                    .append(root().relativize(DemoAgent.secretFile(layout)))
                    .append(", mode 600)\n");
        }
        devCredentials(demoSecret).forEach((k, v) -> export(out, k, v));
        System.out.print(out);
        return 0;
    }

    /**
     * The addresses `env` prints, for a stack at these addresses; bin/quick-tour reads them, and its
     * integration test passes them for the journey suite's free ports.
     */
    public static Map<String, String> addresses(
            String keycloakUrl, String kafka, String s3Url, PortcullisServices.ServicePorts ports) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORTCULLIS_KEYCLOAK_URL", keycloakUrl);
        env.put("PORTCULLIS_REALM", KeycloakServer.REALM);
        env.put("PORTCULLIS_BROKER_URL", "http://127.0.0.1:" + ports.broker());
        env.put("PORTCULLIS_POLICY_URL", "http://127.0.0.1:" + ports.policy());
        env.put("PORTCULLIS_RECORDER_URL", "http://127.0.0.1:" + ports.recorder());
        env.put("PORTCULLIS_CONSOLE_URL", "http://127.0.0.1:" + ports.console());
        env.put("PORTCULLIS_PROXY_PG", "127.0.0.1:" + ports.proxyPg());
        env.put("PORTCULLIS_PROXY_SSH", "127.0.0.1:" + ports.proxySsh());
        env.put("PORTCULLIS_PROXY_HTTP", "http://127.0.0.1:" + ports.proxyHttp());
        env.put("PORTCULLIS_KAFKA", kafka);
        env.put("PORTCULLIS_S3_URL", s3Url);
        env.put("PORTCULLIS_DEMO_CONNECTION", DemoTarget.CONNECTION);
        env.put("PORTCULLIS_DEMO_AGENT_ID", DemoAgent.NAME);
        env.put("PORTCULLIS_CLI_CLIENT", "portcullis-cli");
        return env;
    }

    /** The DEV-ONLY credentials `env` prints (published in keycloak-realm/README.md); demo-agent's when known. */
    public static Map<String, String> devCredentials(String demoAgentSecret) {
        Map<String, String> env = new LinkedHashMap<>();
        if (demoAgentSecret != null) {
            env.put("PORTCULLIS_DEMO_AGENT_SECRET", demoAgentSecret);
        }
        env.put("PORTCULLIS_ADMIN_USER", DemoAgent.ADMIN_USER);
        env.put("PORTCULLIS_ADMIN_PASSWORD", DemoAgent.ADMIN_PASSWORD);
        env.put("PORTCULLIS_APPROVER_USER", "bob-approver");
        env.put("PORTCULLIS_APPROVER_PASSWORD", "bob-dev-password");
        env.put("PORTCULLIS_SECOND_APPROVER_USER", "dave-approver");
        env.put("PORTCULLIS_SECOND_APPROVER_PASSWORD", "dave-dev-password");
        env.put("PORTCULLIS_AUDITOR_USER", "carol-auditor");
        env.put("PORTCULLIS_AUDITOR_PASSWORD", "carol-dev-password");
        return env;
    }

    private Path root() {
        return layout.root();
    }

    private static void export(StringBuilder out, String name, String value) {
        out.append("export ")
                .append(name)
                .append("='")
                .append(value == null ? "" : value.replace("'", "'\\''"))
                .append("'\n");
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
