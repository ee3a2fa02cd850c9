package dev.portcullis.recorder.bench;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.recording.SigningKeys;
import dev.portcullis.recorder.recording.RecordingSigner;
import dev.portcullis.recorder.recording.RecordingWriter;
import dev.portcullis.recorder.recording.StoredFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import javax.crypto.Mac;

/**
 * Bytes a recording stores per proxied statement (README "Recordings"), a measurement, not a test: builds the
 * recording of one session of N statements exactly as the recorder writes it ({@link RecordingWriter}, chained,
 * sealed and signed, through {@link StoredFile}) from session events of the shape session-proxy writes (v2: the
 * {@code session.request} carries its decision, then one {@code session.output}; the full CloudEvents envelope with
 * its {@code authtag}), and prints uncompressed and stored bytes per statement for each gzip level asked for.
 * Deterministic (fixed seed). Run without the test runner:
 *
 * <pre>./mvnw -B -ntp -o -q -pl recorder-service -am test-compile dependency:build-classpath -DskipTests \
 *     -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp recorder-service/target/test-classes:recorder-service/target/classes:$(cat /tmp/cp.txt) \
 *     dev.portcullis.recorder.bench.RecordingSizeBenchmark [statements] [levels, e.g. 1,6,9]</pre>
 */
public final class RecordingSizeBenchmark {

    private static final DateTimeFormatter MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    /** One workload: what the n-th statement's request data (without decision) and output data are. */
    public interface Workload {
        String name();

        /** {@code [request data JSON without the closing brace, decision JSON, output data JSON after request_seq]} */
        String[] statement(int n, Random r);
    }

    private RecordingSizeBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int[] levels = args.length > 1
                ? java.util.Arrays.stream(args[1].split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray()
                : new int[] {0, 1, 6, 9};
        System.out.printf(
                Locale.ROOT,
                "%-26s %6s %12s %14s %10s %10s%n",
                "workload",
                "level",
                "statements",
                "bytes/stmt",
                "ratio",
                "ms");
        for (Workload w : List.of(PGBENCH_S, PGBENCH_S_PREPARED, TPCB_LIKE, VARIED)) {
            for (int level : levels) {
                measure(w, n, level);
            }
        }
        // the CPU gzip costs, apart from building the events: the uncompressed -S recording compressed again,
        // best of five rounds (the first ones warm the JIT)
        Path plain = Files.createTempFile("size-bench", ".jsonl");
        try {
            write(PGBENCH_S, n, 0, plain);
            byte[] bytes = Files.readAllBytes(plain);
            for (int level : levels) {
                if (level == 0) {
                    continue;
                }
                long best = Long.MAX_VALUE;
                for (int round = 0; round < 5; round++) {
                    long t0 = System.nanoTime();
                    try (StoredFile f = new StoredFile(Files.createTempFile("size-bench", ".gz"), level)) {
                        f.out().write(bytes);
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                }
                System.out.printf(
                        Locale.ROOT,
                        "gzip level %d: %.0f MB/s of recording, %.2f us per pgbench -S statement%n",
                        level,
                        bytes.length / (best / 1e9) / 1e6,
                        best / 1e3 / n);
            }
        } finally {
            Files.deleteIfExists(plain);
        }
    }

    static void measure(Workload w, int n, int level) throws IOException {
        Path file = Files.createTempFile("size-bench", ".jsonl.gz");
        try {
            long start = System.nanoTime();
            long[] sizes = write(w, n, level, file);
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.printf(
                    Locale.ROOT,
                    "%-26s %6s %12d %7d -> %5d %9.1fx %10d%n",
                    w.name(),
                    level == 0 ? "none" : Integer.toString(level),
                    n,
                    sizes[0] / n,
                    sizes[1] / n,
                    (double) sizes[0] / sizes[1],
                    ms);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Writes the recording of {@code n} statements of {@code w} to {@code file}: {uncompressed, stored} bytes. */
    static long[] write(Workload w, int n, int level, Path file) throws IOException {
        Random random = new Random(42);
        String session = new UUID(random.nextLong(), random.nextLong()).toString();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String keyId = EventAuth.keyId(secret);
        Mac mac = EventAuth.sessionMac(EventAuth.sessionKey(secret, session));
        RecordingSigner signer = new RecordingSigner(SigningKeys.generate(), List.of());
        StoredFile stored = new StoredFile(file, level);
        long uncompressed;
        try (stored;
                RecordingWriter writer = new RecordingWriter(stored.out())) {
            Instant t = Instant.parse("2026-12-05T09:00:00Z");
            long seq = 0;
            writer.append(
                    seq,
                    event(
                            session,
                            seq++,
                            EventTypes.SESSION_STARTED,
                            t,
                            "{\"client_address\":\"10.0.3.17:51234\","
                                    + "\"protocol\":\"postgres\",\"subject\":\"7c1e4f0a-2b9d-4e61-8f3a-5d2c9b1e0a47\","
                                    + "\"scopes\":[\"db:pg-demo\"],\"access\":\"read\",\"database\":\"demo\"}",
                            keyId,
                            mac));
            for (int i = 0; i < n; i++) {
                String[] s = w.statement(i, random);
                t = t.plus(150 + random.nextInt(250), ChronoUnit.MICROS);
                long requestSeq = seq;
                writer.append(
                        seq,
                        event(
                                session,
                                seq++,
                                EventTypes.SESSION_REQUEST,
                                t,
                                s[0] + ",\"decision\":" + s[1] + "}",
                                keyId,
                                mac));
                t = t.plus(60 + random.nextInt(120), ChronoUnit.MICROS);
                writer.append(
                        seq,
                        event(
                                session,
                                seq++,
                                EventTypes.SESSION_OUTPUT,
                                t,
                                "{\"request_seq\":" + requestSeq + "," + s[2] + "}",
                                keyId,
                                mac));
            }
            writer.append(
                    seq,
                    event(
                            session,
                            seq,
                            EventTypes.SESSION_ENDED,
                            t.plusMillis(1),
                            "{\"reason\":\"client_closed\",\"requests\":" + n + "}",
                            keyId,
                            mac));
            RecordingWriter.Written written = writer.seal(
                    new RecordingWriter.SealInfo(
                            session,
                            "complete",
                            List.of(),
                            true,
                            "hmac-sha256",
                            new RecordingWriter.LedgerLink(1234, 1233, session)),
                    signer);
            uncompressed = written.size();
        }
        return new long[] {uncompressed, stored.storedSize()};
    }

    /** A session event as session-proxy writes it: the CloudEvents envelope, v2, tagged last. */
    public static byte[] event(String session, long seq, String type, Instant t, String data, String keyId, Mac mac) {
        String json = "{\"specversion\":\"1.0\",\"id\":\"" + session + ":" + seq
                + "\",\"source\":\"/portcullis/session-proxy\",\"type\":\"" + type + "\",\"subject\":\"" + session
                + "\",\"time\":\"" + MICROS.format(t) + "\",\"datacontenttype\":\"application/json\",\"dataschema\":\""
                + CloudEvent.DATASCHEMA_SESSION_V2 + "\",\"data\":" + data + ",\"session_id\":\"" + session
                + "\",\"seq\":" + seq + ",\"agent\":\"demo-agent\",\"connection\":\"pg-demo\"}";
        byte[] untagged = json.getBytes(StandardCharsets.UTF_8);
        return EventAuth.append(json, EventAuth.tag(keyId, mac, untagged)).getBytes(StandardCharsets.UTF_8);
    }

    static String stmt(
            String type,
            String table,
            boolean where,
            String text,
            boolean readOnly,
            String reads,
            String writes,
            String predicate) {
        return "{\"type\":\"" + type + "\",\"tables\":[" + (table.isEmpty() ? "" : "\"" + table + "\"")
                + "],\"has_where\":" + where + ",\"text\":\""
                + text + "\",\"read_only\":" + readOnly + ",\"not_read_only\":[],\"reads\":[" + reads
                + "],\"writes\":[" + writes + "],\"calls\":[],\"settings\":[],\"predicate_columns\":[" + predicate
                + "]}";
    }

    static String decision(String action, String rule, String id, boolean cached, String reasons) {
        return "{\"action\":\"" + action + "\",\"reasons\":[" + reasons + "],\"rules\":[\"" + rule
                + "\"],\"decision_id\":\"" + id + "\",\"cached\":" + cached + "}";
    }

    static final String READ_DECISION = "0b8f0c4e-3f6a-4c0e-8d4b-6a1f2e3d4c5b";

    /** {@code pgbench -S}, simple protocol: the literal in the text; policy's answer cached after the first. */
    public static final Workload PGBENCH_S = new Workload() {
        public String name() {
            return "pgbench -S (simple)";
        }

        public String[] statement(int n, Random r) {
            String text = "SELECT abalance FROM pgbench_accounts WHERE aid = " + (1 + r.nextInt(1_000_000)) + ";";
            return new String[] {
                "{\"protocol\":\"postgres\",\"kind\":\"query\",\"text\":\"" + text + "\",\"statements\":["
                        + stmt(
                                "SELECT",
                                "pgbench_accounts",
                                true,
                                text.substring(0, text.length() - 1),
                                true,
                                "\"pgbench_accounts.abalance\",\"pgbench_accounts.aid\"",
                                "",
                                "\"pgbench_accounts.aid\"")
                        + "]",
                decision("allow", "read-with-grant", READ_DECISION, n > 0, ""),
                "\"command_tag\":\"SELECT 1\",\"rows\":1,\"denied\":false"
            };
        }
    };

    /** {@code pgbench -S -M prepared}: the same statement each time, the value as a parameter. */
    public static final Workload PGBENCH_S_PREPARED = new Workload() {
        public String name() {
            return "pgbench -S -M prepared";
        }

        public String[] statement(int n, Random r) {
            String text = "SELECT abalance FROM pgbench_accounts WHERE aid = $1;";
            return new String[] {
                "{\"protocol\":\"postgres\",\"kind\":\"execute\",\"text\":\"" + text + "\",\"statements\":["
                        + stmt(
                                "SELECT",
                                "pgbench_accounts",
                                true,
                                text.substring(0, text.length() - 1),
                                true,
                                "\"pgbench_accounts.abalance\",\"pgbench_accounts.aid\"",
                                "",
                                "\"pgbench_accounts.aid\"")
                        + "],\"parameters\":[\"" + (1 + r.nextInt(1_000_000)) + "\"]",
                decision("allow", "read-with-grant", READ_DECISION, n > 0, ""),
                "\"command_tag\":\"SELECT 1\",\"rows\":1,\"denied\":false"
            };
        }
    };

    /** pgbench's TPC-B-like script (simple protocol), seven statements a transaction, with a write grant. */
    public static final Workload TPCB_LIKE = new Workload() {
        int aid;
        int bid;
        int tid;
        int delta;

        public String name() {
            return "TPC-B-like (writes)";
        }

        public String[] statement(int n, Random r) {
            int step = n % 7;
            if (step == 0) {
                aid = 1 + r.nextInt(1_000_000);
                bid = 1 + r.nextInt(10);
                tid = 1 + r.nextInt(100);
                delta = r.nextInt(10_001) - 5000;
            }
            String decisionId = "9d2e" + Integer.toHexString(step) + "c1a-7b3f-4e2d-9a1c-3f5e7d9b1a2c";
            return switch (step) {
                case 0 -> simple("BEGIN", "BEGIN", "", "", true, "", "", decisionId, "BEGIN", 0, n);
                case 1 ->
                    simple(
                            "UPDATE pgbench_accounts SET abalance = abalance + " + delta + " WHERE aid = " + aid,
                            "UPDATE",
                            "pgbench_accounts",
                            "\"pgbench_accounts.abalance\",\"pgbench_accounts.aid\"",
                            false,
                            "\"pgbench_accounts.abalance\"",
                            "\"pgbench_accounts.aid\"",
                            decisionId,
                            "UPDATE 1",
                            0,
                            n);
                case 2 ->
                    simple(
                            "SELECT abalance FROM pgbench_accounts WHERE aid = " + aid,
                            "SELECT",
                            "pgbench_accounts",
                            "\"pgbench_accounts.abalance\",\"pgbench_accounts.aid\"",
                            true,
                            "",
                            "\"pgbench_accounts.aid\"",
                            decisionId,
                            "SELECT 1",
                            1,
                            n);
                case 3 ->
                    simple(
                            "UPDATE pgbench_tellers SET tbalance = tbalance + " + delta + " WHERE tid = " + tid,
                            "UPDATE",
                            "pgbench_tellers",
                            "\"pgbench_tellers.tbalance\",\"pgbench_tellers.tid\"",
                            false,
                            "\"pgbench_tellers.tbalance\"",
                            "\"pgbench_tellers.tid\"",
                            decisionId,
                            "UPDATE 1",
                            0,
                            n);
                case 4 ->
                    simple(
                            "UPDATE pgbench_branches SET bbalance = bbalance + " + delta + " WHERE bid = " + bid,
                            "UPDATE",
                            "pgbench_branches",
                            "\"pgbench_branches.bbalance\",\"pgbench_branches.bid\"",
                            false,
                            "\"pgbench_branches.bbalance\"",
                            "\"pgbench_branches.bid\"",
                            decisionId,
                            "UPDATE 1",
                            0,
                            n);
                case 5 ->
                    simple(
                            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (" + tid + ", " + bid
                                    + ", " + aid + ", " + delta + ", CURRENT_TIMESTAMP)",
                            "INSERT",
                            "pgbench_history",
                            "",
                            false,
                            "\"pgbench_history.tid\",\"pgbench_history.bid\",\"pgbench_history.aid\","
                                    + "\"pgbench_history.delta\",\"pgbench_history.mtime\"",
                            "",
                            decisionId,
                            "INSERT 0 1",
                            0,
                            n);
                default -> simple("END", "COMMIT", "", "", true, "", "", decisionId, "COMMIT", 0, n);
            };
        }

        String[] simple(
                String text,
                String type,
                String table,
                String reads,
                boolean readOnly,
                String writes,
                String predicate,
                String decisionId,
                String tag,
                int rows,
                int n) {
            return new String[] {
                "{\"protocol\":\"postgres\",\"kind\":\"query\",\"text\":\"" + text + ";\",\"statements\":["
                        + stmt(type, table, !predicate.isEmpty(), text, readOnly, reads, writes, predicate) + "]",
                decision("allow", readOnly ? "read-with-grant" : "write-with-grant", decisionId, n >= 7, ""),
                "\"command_tag\":\"" + tag + "\",\"rows\":" + rows + ",\"denied\":false"
            };
        }
    };

    /**
     * An agent's varied reads: twenty query shapes with their own literals (masked e-mails and card numbers among
     * them), row counts from 0 to 5,000, a fresh policy decision for one in eight, a denial for one in forty.
     */
    public static final Workload VARIED = new Workload() {
        final String[] tables = {
            "customers",
            "orders",
            "invoices",
            "payments",
            "shipments",
            "products",
            "events",
            "sessions",
            "tickets",
            "refunds"
        };
        final String[] columns = {"id", "email", "status", "created_at", "amount", "country", "card", "name"};

        public String name() {
            return "varied reads (masked)";
        }

        public String[] statement(int n, Random r) {
            String table = tables[r.nextInt(tables.length)];
            String col = columns[r.nextInt(columns.length)];
            String literal = switch (col) {
                case "email" -> "'[masked:email]'";
                case "card" -> "'[masked:card]'";
                case "created_at" -> "'2026-" + (1 + r.nextInt(12)) + "-" + (1 + r.nextInt(28)) + "'";
                case "status" -> "'" + List.of("open", "paid", "void", "late").get(r.nextInt(4)) + "'";
                default -> Integer.toString(r.nextInt(100_000));
            };
            String text = switch (r.nextInt(5)) {
                case 0 -> "SELECT * FROM " + table + " WHERE " + col + " = " + literal;
                case 1 ->
                    "SELECT " + col + ", count(*) FROM " + table + " GROUP BY " + col + " ORDER BY 2 DESC LIMIT "
                            + (10 + r.nextInt(90));
                case 2 ->
                    "SELECT id, name, email, amount FROM " + table + " WHERE created_at > now() - interval '"
                            + (1 + r.nextInt(30)) + " days' AND " + col + " = " + literal + " ORDER BY id LIMIT 500";
                case 3 ->
                    "SELECT o.id, c.email, o.amount FROM orders o JOIN customers c ON c.id = o.customer_id WHERE "
                            + "o." + col + " = " + literal;
                default ->
                    "SELECT sum(amount) FROM " + table + " WHERE country = '"
                            + List.of("DE", "FR", "US", "JP", "BR").get(r.nextInt(5)) + "'";
            };
            boolean deny = r.nextInt(40) == 0;
            boolean fresh = deny || r.nextInt(8) == 0;
            String id = fresh ? new UUID(r.nextLong(), r.nextLong()).toString() : READ_DECISION;
            int rows = deny ? 0 : r.nextInt(8) == 0 ? r.nextInt(5000) : r.nextInt(20);
            return new String[] {
                "{\"protocol\":\"postgres\",\"kind\":\"query\",\"text\":\"" + text + ";\",\"statements\":["
                        + stmt(
                                "SELECT",
                                table,
                                text.contains("WHERE"),
                                text,
                                true,
                                "\"" + table + "." + col + "\",\"" + table + ".id\"",
                                "",
                                "\"" + table + "." + col + "\"")
                        + "]",
                deny
                        ? decision(
                                "deny",
                                "pii-needs-purpose",
                                id,
                                false,
                                "\"reading " + table + "." + col + " needs a declared purpose\"")
                        : decision("allow", "read-with-grant", id, !fresh, ""),
                deny
                        ? "\"command_tag\":\"\",\"rows\":0,\"denied\":true"
                        : "\"command_tag\":\"SELECT " + rows + "\",\"rows\":" + rows + ",\"denied\":false"
            };
        }
    };
}
