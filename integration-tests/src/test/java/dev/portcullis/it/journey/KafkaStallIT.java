package dev.portcullis.it.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.devstack.PostgresServer;
import dev.portcullis.devstack.cli.PortcullisServices;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15 §0, "no statement without its audit record": Kafka does not stop, it stops answering ({@code SIGSTOP}
 * of dev-stack's Kafka process: its sockets stay open and the producer's {@code send()} keeps succeeding) in the
 * middle of a stream of statements through session-proxy (PostgreSQL JDBC driver), of SSH commands (OpenSSH) or of
 * a {@code kubectl} watch with reads beside it, then answers again ({@code SIGCONT}). What the target saw is the
 * judge: every row a statement inserted in PostgreSQL's own table, every command the target's shell ran, every
 * request the API server logged must be in the recording, as an allowed request.
 *
 * <p>Each statement inserts a row numbered by the client, so what reached PostgreSQL is read back from PostgreSQL
 * itself, not from the client's view.
 */
@ExtendWith(SuiteExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaStallIT {

    static final String PROD = PortcullisSuite.PROD;
    static final Duration SERVICE_START = Duration.ofSeconds(240);
    private static final Pattern NUMBER = Pattern.compile("VALUES \\('([a-z-]+)', (\\d+)\\)");

    PortcullisSuite suite;
    Keycloak keycloak;
    Broker broker;
    Recorder recorder;
    final Map<String, String> secrets = new ConcurrentHashMap<>();

    @BeforeAll
    void suite(PortcullisSuite suite) {
        this.suite = suite;
        this.keycloak = new Keycloak(suite.keycloakUrl());
        this.broker = new Broker(suite.brokerUrl(), keycloak);
        this.recorder = new Recorder(suite.recorderUrl(), keycloak);
        PostgresServer pg = suite.stack().postgres();
        pg.execute(
                PortcullisSuite.PROD_DATABASE,
                "CREATE TABLE IF NOT EXISTS stall_probe (run text NOT NULL, n int NOT NULL, PRIMARY KEY (run, n))",
                "ALTER TABLE stall_probe OWNER TO " + PortcullisSuite.PROD_ROLE);
    }

    @Test
    void kafkaPausedAndResumedMidLoadEveryStatementThatRanIsRecorded() throws Exception {
        String run = "paused";
        String agent = agentWithWriteOnProd("stall-paused");
        Load load = new Load(run, agent);
        load.start();
        try {
            load.awaitAtLeast(40, Duration.ofSeconds(60));
            int beforePause = load.ok.get();
            pause(Duration.ofSeconds(8));
            int duringPause = load.ok.get() - beforePause;
            // the statements went on once the stall was noticed: their events went to the spool
            assertTrue(duringPause > 0, "no statement ran while Kafka was paused: the spool was not used");
            load.awaitAtLeast(load.ok.get() + 40, Duration.ofSeconds(60));
        } finally {
            load.stop();
        }
        assertEquals(List.of(), load.errors, "statements failed while the spool could take their events");

        Set<Integer> ran = ranInPostgres(run);
        assertEquals(load.ok.get(), ran.size(), "rows in PostgreSQL vs statements the client saw succeed");
        Recording rec = recorder.downloadVerified(onlySession(agent, Duration.ofSeconds(180)));
        assertEquals("complete", rec.seal.path("status").asText(), () -> rec.seal.toString());
        assertEquals(ran, recordedAndAllowed(rec, run), "rows in PostgreSQL vs statements in the recording");
    }

    @Test
    void kafkaPausedLongerThanTheSpoolCanAbsorbRequestsWaitOrAreRefusedNoneRunsUnrecorded() throws Exception {
        PortcullisServices services = suite.services();
        // a proxy whose spool holds a few dozen statements, and which refuses a held statement after 4 s
        restartProxy(Map.of(
                "PORTCULLIS_EVENTS_SPOOL_DIR",
                        suite.home().resolve("proxy-spool-tiny").toString(),
                "PORTCULLIS_EVENTS_SPOOL_MAX_BYTES", "32768",
                "PORTCULLIS_EVENTS_SPOOL_SEGMENT_BYTES", "8192",
                "PORTCULLIS_EVENTS_HOLD_TIMEOUT", "4s"));
        String run = "overflow";
        String agent = agentWithWriteOnProd("stall-overflow");
        Load load = new Load(run, agent);
        try {
            load.start();
            load.awaitAtLeast(20, Duration.ofSeconds(60));
            int beforePause = load.ok.get();
            pause(Duration.ofSeconds(15));
            int duringPause = load.ok.get() - beforePause;
            load.awaitAtLeast(load.ok.get() + 20, Duration.ofSeconds(60));
            load.stop();

            // the spool filled up: statements were held, then refused with insufficient_resources, not run
            assertTrue(!load.errors.isEmpty(), "no statement was held and refused: " + duringPause + " ran");
            for (String e : load.errors) {
                assertTrue(e.startsWith("53000 ") && e.contains("audit record"), e);
            }
            Set<Integer> ran = ranInPostgres(run);
            assertEquals(load.ok.get(), ran.size(), "rows in PostgreSQL vs statements the client saw succeed");
            for (int refused : load.refused) {
                assertTrue(!ran.contains(refused), "refused statement " + refused + " ran in PostgreSQL");
            }
            Recording rec = recorder.downloadVerified(onlySession(agent, Duration.ofSeconds(180)));
            Set<Integer> recorded = recordedAndAllowed(rec, run);
            assertTrue(recorded.containsAll(ran), () -> "ran but not recorded: " + minus(ran, recorded));
        } finally {
            load.stop();
            restartProxy(Map.of(
                    "PORTCULLIS_EVENTS_SPOOL_DIR",
                            suite.home().resolve("proxy-spool").toString(),
                    "PORTCULLIS_EVENTS_SPOOL_MAX_BYTES", "",
                    "PORTCULLIS_EVENTS_SPOOL_SEGMENT_BYTES", "",
                    "PORTCULLIS_EVENTS_HOLD_TIMEOUT", ""));
            assertTrue(services.isRunning(PortcullisServices.PROXY));
        }
    }

    @Test
    void kafkaPausedAndResumedBetweenSshCommandsEveryCommandThatRanIsRecorded() throws Exception {
        String agent = "stall-ssh";
        Broker.CreatedAgent a = broker.createAgent(agent);
        broker.grant(agent, PortcullisSuite.SSH, "write");
        secrets.put(agent, a.clientSecret());
        String token = broker.sessionToken(keycloak.agent(agent, secrets.get(agent)), PortcullisSuite.SSH, "write");
        Ssh ssh = new Ssh(suite.proxySshPort(), suite.home().resolve("clients"));
        // the target appends each command's number here: what ran on the target, in the target's own words
        Path marks = suite.home().resolve("stall-ssh-marks.txt");
        Files.deleteIfExists(marks);
        AtomicInteger runs = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread commands = Thread.ofPlatform().name("stall-ssh").start(() -> {
            for (int n = 1; !stop.get(); n++) {
                Client.Result r = ssh.run(agent + "@" + PortcullisSuite.SSH, token, "echo " + n + " >> " + marks);
                runs.incrementAndGet();
                if (r.exit() != 0) {
                    failures.add(r.toString());
                }
            }
        });
        try {
            Poll.until("5 SSH commands", Duration.ofSeconds(120), () -> runs.get() >= 5 ? true : null);
            pause(Duration.ofSeconds(6));
            int after = runs.get() + 5;
            Poll.until("5 more SSH commands", Duration.ofSeconds(120), () -> runs.get() >= after ? true : null);
        } finally {
            stop.set(true);
            commands.join(TimeUnit.SECONDS.toMillis(90));
        }
        assertEquals(List.of(), failures, "SSH commands failed while the spool could take their events");

        Set<Integer> ran = new TreeSet<>();
        Files.readAllLines(marks).forEach(l -> ran.add(Integer.parseInt(l.trim())));
        assertEquals(runs.get(), ran.size(), "commands the target ran vs commands the client ran");
        List<JsonNode> sessions =
                Poll.until("every SSH session of " + agent + " to be recorded", Duration.ofSeconds(180), () -> {
                    List<JsonNode> all = recorder.sessions(agent);
                    return all.size() == runs.get()
                                    && all.stream()
                                            .noneMatch(s -> "recording"
                                                    .equals(s.path("status").asText()))
                            ? all
                            : null;
                });
        Set<Integer> recorded = new TreeSet<>();
        Pattern echo = Pattern.compile("^echo (\\d+) >> ");
        for (JsonNode s : sessions) {
            Recording rec = recorder.downloadVerified(s.path("session_id").asText());
            for (Recording.Line req : rec.ofType(EventTypes.SESSION_REQUEST)) {
                Matcher m = echo.matcher(req.data().path("command").asText());
                boolean allowed = "allow"
                        .equals(rec.finalDecision(req.seq())
                                .map(d -> d.path("action").asText())
                                .orElse("none"));
                if (m.find() && allowed) {
                    recorded.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        assertEquals(ran, recorded, "commands the target ran vs commands in the recordings");
    }

    @Test
    void kafkaPausedAndResumedDuringAKubectlWatchEveryRequestThatReachedTheApiServerIsRecorded() throws Exception {
        Assumptions.assumeTrue(
                Client.installed("kubectl"), "kubectl is not installed: the kubectl case of KafkaStallIT is skipped");
        String agent = "stall-kube";
        Broker.CreatedAgent a = broker.createAgent(agent);
        broker.grant(agent, PortcullisSuite.K8S, "read");
        secrets.put(agent, a.clientSecret());
        String token = broker.sessionToken(keycloak.agent(agent, a.clientSecret()), PortcullisSuite.K8S, "read");
        KubeTarget target = suite.kubeTarget();
        Kubectl kubectl = new Kubectl(
                suite.proxyHttpsPort(), suite.proxyCa(), suite.home().resolve("clients/kube-stall"));
        Path kubeconfig = kubectl.kubeconfig(PortcullisSuite.K8S, KubeTarget.NAMESPACE, token);
        // the API server's own log of what reached it is the judge; this test's requests are the ones after here
        int first = target.requests.size();
        int watchesBefore = target.podWatches.get();

        Client watch = kubectl.start(kubeconfig, "get", "pods", "--watch");
        AtomicInteger runs = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<String> failures = new CopyOnWriteArrayList<>();
        // beside the watch, numbered reads, so requests also start while Kafka is paused
        Thread gets = Thread.ofPlatform().name("stall-kube").start(() -> {
            for (int n = 1; !stop.get(); n++) {
                Client.Result r = kubectl.run(kubeconfig, "get", "pods", "-l", "probe=k8s-" + n, "-o", "name");
                runs.incrementAndGet();
                if (r.exit() != 0) {
                    failures.add(r.toString());
                }
            }
        });
        int watchEventsAtResume;
        try {
            Poll.until(
                    "kubectl's watch open and 3 reads",
                    Duration.ofSeconds(120),
                    () -> target.podWatches.get() > watchesBefore && target.podWatchEvents.get() > 0 && runs.get() >= 3
                            ? true
                            : null);
            int beforePause = runs.get();
            pause(Duration.ofSeconds(6));
            // reads went on once the stall was noticed: their events went to the spool
            assertTrue(runs.get() > beforePause, "no kubectl read completed while Kafka was paused");
            watchEventsAtResume = target.podWatchEvents.get();
            int after = runs.get() + 3;
            Poll.until(
                    "3 more reads and watch events after Kafka resumed",
                    Duration.ofSeconds(120),
                    () -> runs.get() >= after && target.podWatchEvents.get() > watchEventsAtResume + 5 ? true : null);
        } finally {
            stop.set(true);
            gets.join(TimeUnit.SECONDS.toMillis(90));
        }
        // the watch lived through the stall: still running, never re-opened, and it printed what it was sent
        assertTrue(watch.isAlive(), () -> "kubectl's watch ended: " + watch.await(Duration.ofSeconds(5)));
        assertEquals(watchesBefore + 1, target.podWatches.get(), "the watch was re-opened: the stall cut it");
        watch.kill();
        assertTrue(watch.out().contains(KubeTarget.POD), watch::out);
        assertEquals(List.of(), failures, "kubectl requests failed while the spool could take their events");

        List<String> reached = List.copyOf(target.requests.subList(first, target.requests.size()));
        assertTrue(
                reached.stream().anyMatch(r -> r.contains("watch=")), () -> "no watch reached the target: " + reached);
        Map<String, Integer> reachedCounts =
                counts(reached.stream().map(KafkaStallIT::normalized).toList());
        Map<String, Integer> recorded =
                Poll.until("every kubectl session of " + agent + " recorded", Duration.ofSeconds(180), () -> {
                    List<JsonNode> all = recorder.sessions(agent);
                    if (all.isEmpty()
                            || all.stream()
                                    .anyMatch(s ->
                                            "recording".equals(s.path("status").asText()))) {
                        return null;
                    }
                    List<String> allowed = new ArrayList<>();
                    for (JsonNode s : all) {
                        Recording rec =
                                recorder.downloadVerified(s.path("session_id").asText());
                        for (Recording.Line req : rec.ofType(EventTypes.SESSION_REQUEST)) {
                            boolean allow = "allow"
                                    .equals(rec.finalDecision(req.seq())
                                            .map(d -> d.path("action").asText())
                                            .orElse("none"));
                            if (allow) {
                                allowed.add(normalized(req.data().path("method").asText() + " "
                                        + req.data().path("path").asText() + "?"
                                        + req.data().path("query").asText()));
                            }
                        }
                    }
                    Map<String, Integer> c = counts(allowed);
                    return covers(c, reachedCounts) ? c : null;
                });
        assertTrue(covers(recorded, reachedCounts), () -> "reached the API server but not recorded: " + reachedCounts);
    }

    // ------------------------------------------------------------------------------ helpers

    /**
     * A request as {@code METHOD path?query}, its query's parameters decoded and sorted: the API server sees the
     * proxy's canonical re-encoding, the recording the decoded request.
     */
    private static String normalized(String methodPathQuery) {
        int q = methodPathQuery.indexOf('?');
        String head = q < 0 ? methodPathQuery : methodPathQuery.substring(0, q);
        String query = q < 0 ? "" : methodPathQuery.substring(q + 1);
        List<String> params = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (!pair.isEmpty()) {
                params.add(URLDecoder.decode(pair, StandardCharsets.UTF_8));
            }
        }
        params.sort(null);
        return URLDecoder.decode(head, StandardCharsets.UTF_8) + "?" + String.join("&", params);
    }

    private static Map<String, Integer> counts(List<String> items) {
        Map<String, Integer> c = new TreeMap<>();
        items.forEach(i -> c.merge(i, 1, Integer::sum));
        return c;
    }

    /** Whether {@code have} holds every item of {@code need} at least as often. */
    private static boolean covers(Map<String, Integer> have, Map<String, Integer> need) {
        return need.entrySet().stream().allMatch(e -> have.getOrDefault(e.getKey(), 0) >= e.getValue());
    }

    /** INSERTs numbered 1, 2, … through the proxy on one session, until stopped. */
    private final class Load {
        final String run;
        final String agent;
        final AtomicInteger ok = new AtomicInteger();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final List<Integer> refused = new CopyOnWriteArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        Thread thread;
        volatile Exception failure;

        Load(String run, String agent) {
            this.run = run;
            this.agent = agent;
        }

        void start() {
            thread = Thread.ofPlatform().name("stall-load-" + run).start(() -> {
                try (Connection c = ProxyJdbc.connect(
                                suite.proxyPgPort(),
                                PROD,
                                agent,
                                broker.sessionToken(keycloak.agent(agent, secrets.get(agent)), PROD, "write"));
                        Statement st = c.createStatement()) {
                    for (int n = 1; !stop.get(); n++) {
                        try {
                            st.executeUpdate("INSERT INTO stall_probe (run, n) VALUES ('" + run + "', " + n + ")");
                            ok.incrementAndGet();
                        } catch (SQLException e) {
                            refused.add(n);
                            errors.add(e.getSQLState() + " " + e.getMessage());
                        }
                    }
                } catch (Exception e) {
                    failure = e;
                }
            });
        }

        void awaitAtLeast(int statements, Duration timeout) {
            Poll.until(statements + " statements of run " + run, timeout, () -> {
                if (failure != null) {
                    throw new AssertionError("the load failed", failure);
                }
                return ok.get() >= statements ? true : null;
            });
        }

        void stop() throws InterruptedException {
            stop.set(true);
            if (thread != null) {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            }
            if (failure != null) {
                throw new AssertionError("the load failed", failure);
            }
        }
    }

    /** SIGSTOP of the Kafka process for {@code d}, SIGCONT however it ends. */
    private void pause(Duration d) throws IOException, InterruptedException {
        long pid = suite.stack().kafka().pid();
        signal("STOP", pid);
        try {
            Thread.sleep(d.toMillis());
        } finally {
            signal("CONT", pid);
        }
    }

    private static void signal(String sig, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid))
                .inheritIO()
                .start();
        assertEquals(0, p.waitFor(), "kill -" + sig + " " + pid);
    }

    private void restartProxy(Map<String, String> env) {
        PortcullisServices services = suite.services();
        services.stop(PortcullisServices.PROXY, Duration.ofSeconds(20));
        env.forEach((k, v) -> services.env(PortcullisServices.PROXY, k, v.isEmpty() ? null : v));
        services.start(PortcullisServices.PROXY, SERVICE_START);
    }

    /** The numbers of the run's rows, as PostgreSQL has them. */
    private Set<Integer> ranInPostgres(String run) throws SQLException {
        PostgresServer pg = suite.stack().postgres();
        Set<Integer> ran = new TreeSet<>();
        try (Connection c = pg.connect(PortcullisSuite.PROD_DATABASE, PostgresServer.SUPERUSER, pg.superPassword());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT n FROM stall_probe WHERE run = '" + run + "'")) {
            while (rs.next()) {
                ran.add(rs.getInt(1));
            }
        }
        return ran;
    }

    /** The numbers of the run's INSERTs recorded as requests whose decision is allow. */
    private static Set<Integer> recordedAndAllowed(Recording rec, String run) {
        Set<Integer> recorded = new TreeSet<>();
        for (Recording.Line req : rec.ofType(EventTypes.SESSION_REQUEST)) {
            Matcher m = NUMBER.matcher(req.data().path("text").asText());
            if (!m.find() || !run.equals(m.group(1))) {
                continue;
            }
            String action = rec.finalDecision(req.seq())
                    .map(d -> d.path("action").asText())
                    .orElse("none");
            if ("allow".equals(action)) {
                recorded.add(Integer.parseInt(m.group(2)));
            }
        }
        return recorded;
    }

    private static Set<Integer> minus(Set<Integer> a, Set<Integer> b) {
        Set<Integer> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    private String agentWithWriteOnProd(String name) {
        Broker.CreatedAgent a = broker.createAgent(name);
        broker.grant(name, PROD, "write");
        secrets.put(name, a.clientSecret());
        return name;
    }

    /** The agent's one session, once the recorder has finalized it. */
    private String onlySession(String agent, Duration timeout) {
        JsonNode s = Poll.until("the session of " + agent + " to be recorded", timeout, () -> {
            List<JsonNode> all = new ArrayList<>(recorder.sessions(agent));
            assertTrue(all.size() <= 1, () -> agent + " has more than one session: " + all);
            return all.size() == 1
                            && !"recording".equals(all.get(0).path("status").asText())
                    ? all.get(0)
                    : null;
        });
        return s.path("session_id").asText();
    }
}
