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

        Map<Component, Integer> ports = new LinkedHashMap<>();
        ports.put(Component.POSTGRES, envPort("PORTCULLIS_POSTGRES_PORT", 5433));
        ports.put(Component.KAFKA, envPort("PORTCULLIS_KAFKA_PORT", 9092));
        ports.put(Component.KEYCLOAK, envPort("PORTCULLIS_KEYCLOAK_PORT", 8180));
        ports.put(Component.S3, envPort("PORTCULLIS_S3_PORT", 9300));
        // Fail before starting anything when a port is taken, naming the port and the component.
        for (String module : PortcullisServices.MODULES) {
            Ports.requireFree(PORTS.http(module), module, null);
        }
        for (int p : List.of(PORTS.proxyPg(), PORTS.proxySsh(), PORTS.proxyHttp())) {
            Ports.requireFree(p, "session-proxy", null);
        }
        DevStack.Builder builder = DevStack.builder()
                .workDir(layout.home())
                .persistent(true)
                .keycloakOnPostgres(true)
                .postgresSuperuserPassword(PG_SUPERUSER_PASSWORD)
                .keycloakAdminPassword(KEYCLOAK_ADMIN_PASSWORD)
                .s3Credentials(S3_ACCESS_KEY, S3_SECRET_KEY)
                .timeout(Duration.ofSeconds(120));
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
            stack.ensure(wanted.toArray(Component[]::new));
            PostgresServer pg = stack.postgres();
            Path demoPassword = DemoTarget.provision(pg, layout);
            Path connections = DemoTarget.writeConnections(layout, pg.port(), demoPassword);
            stack.kafka().createTopics(DevStack.TOPICS, 3);
            Files.createDirectories(layout.recordings());

            Properties endpoints = endpoints(stack, withS3);
            PortcullisServices suite = PortcullisServices.builder(stack, layout.root())
                    .home(layout.home())
                    .ports(PORTS)
                    .connections(connections)
                    .s3(withS3)
                    .build();
            services.add(suite);
            suite.startAll(Duration.ofSeconds(120));
            layout.writeEndpoints(endpoints);
            double seconds = (System.nanoTime() - t0) / 1e9;
            String summary = summary(endpoints, seconds);
            Files.writeString(layout.summary(), summary);
            layout.writeState("ready");
            System.out.println(summary);
        } catch (RuntimeException e) {
            layout.writeState("failed: " + e.getMessage().lines().findFirst().orElse(""));
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
                  PostgreSQL                   127.0.0.1:%s   (demo target pg-demo = database demo)
                  Kafka                        %s

                Try it (dev-only credentials come from `bin/portcullis env`):

                  eval "$(bin/portcullis env)"
                  TOKEN=$(curl -s "$PORTCULLIS_KEYCLOAK_URL/realms/$PORTCULLIS_REALM/protocol/openid-connect/token" \\
                      -d grant_type=client_credentials -d scope=conn:pg-demo:read \\
                      -d client_id="$PORTCULLIS_DEMO_AGENT_ID" -d client_secret="$PORTCULLIS_DEMO_AGENT_SECRET" \\
                      | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
                  PGPASSWORD="$TOKEN" psql "host=127.0.0.1 port=15432 dbname=pg-demo user=demo-agent" \\
                      -c 'SELECT name, email, card_number FROM customers'

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
        while (System.nanoTime() < deadline) {
            String state = layout.readState();
            if (state.equals("ready")) {
                System.out.println(Files.readString(layout.summary()));
                return 0;
            }
            if (state.startsWith("failed")) {
                System.err.println(
                        "portcullis up -d: " + state + System.lineSeparator() + "see " + layout.log("launcher"));
                return 1;
            }
            if (livePid(layout.supervisorPid()) == null && !state.equals("starting")) {
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
        export(out, "PORTCULLIS_KEYCLOAK_URL", p.getProperty("keycloak.url"));
        export(out, "PORTCULLIS_REALM", KeycloakServer.REALM);
        export(out, "PORTCULLIS_BROKER_URL", "http://127.0.0.1:8081");
        export(out, "PORTCULLIS_POLICY_URL", "http://127.0.0.1:8181");
        export(out, "PORTCULLIS_RECORDER_URL", "http://127.0.0.1:8082");
        export(out, "PORTCULLIS_PROXY_PG", "127.0.0.1:15432");
        export(out, "PORTCULLIS_PROXY_SSH", "127.0.0.1:2222");
        export(out, "PORTCULLIS_PROXY_HTTP", "http://127.0.0.1:8084");
        export(out, "PORTCULLIS_KAFKA", p.getProperty("kafka.bootstrap"));
        export(out, "PORTCULLIS_S3_URL", p.getProperty("s3.url", ""));
        export(out, "PORTCULLIS_DEMO_CONNECTION", DemoTarget.CONNECTION);
        export(out, "PORTCULLIS_DEMO_AGENT_ID", "demo-agent");
        export(out, "PORTCULLIS_CLI_CLIENT", "portcullis-cli");
        out.append("# DEV-ONLY credentials: published in keycloak-realm/README.md, valid only for this local stack.\n");
        out.append("# Never use them, or this realm export, outside `bin/portcullis up`.\n");
        export(out, "PORTCULLIS_DEMO_AGENT_SECRET", "demo-agent-dev-secret");
        export(out, "PORTCULLIS_ADMIN_USER", "alice-admin");
        export(out, "PORTCULLIS_ADMIN_PASSWORD", "alice-dev-password");
        export(out, "PORTCULLIS_APPROVER_USER", "bob-approver");
        export(out, "PORTCULLIS_APPROVER_PASSWORD", "bob-dev-password");
        export(out, "PORTCULLIS_AUDITOR_USER", "carol-auditor");
        export(out, "PORTCULLIS_AUDITOR_PASSWORD", "carol-dev-password");
        System.out.print(out);
        return 0;
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
