package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.codec.PgProtocol.*;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.contracts.events.SessionEventFields;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.enforcement.PolicyInput;
import dev.portcullis.proxy.events.SessionData;
import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.catalog.PgCatalogCache;
import dev.portcullis.proxy.pg.codec.PgBackendMessages.Field;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.masking.MaskingFixtures;
import dev.portcullis.proxy.pg.sql.PolicyRequest;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the proxy sees per statement of {@code pgbench -S} (scale 1: aid 1 to 100,000), in both protocols, as the JMH
 * benchmarks of the hot paths use it: the client's frames as libpq writes them, the backend's replies, and the
 * session state a statement is decided with (the default pack's masks, a catalog with {@code pgbench_accounts} and
 * {@code customers}, the session's policy input). Built the way the proxy builds it, through its own classes.
 */
public final class PgbenchFixtures {

    private PgbenchFixtures() {}

    /** pgbench's select-only statement as {@code -M prepared} prepares it (statement {@value #STATEMENT}). */
    public static final String PREPARED_SQL = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";

    /** The name pgbench gives it (file 0, command 1). */
    public static final String STATEMENT = "P0_1";

    /** The masked query of the README's measurements (the default pack redacts email, keeps card_number's last 4). */
    public static final String CUSTOMERS_SQL = "SELECT name, email, card_number FROM customers";

    static final int PGBENCH_ACCOUNTS = 16_397;
    static final int CUSTOMERS = 16_390;
    private static final int INT4 = 23;
    private static final int TEXT = 25;

    /** {@code -M simple}: the text pgbench sends for one aid. */
    public static String simpleSql(int aid) {
        return "SELECT abalance FROM pgbench_accounts WHERE aid = " + aid + ";";
    }

    /** The {@code n}-th aid of a benchmark's sequence: spread over pgbench's 100,000 accounts, the same every run. */
    public static int aid(int n) {
        return (int) ((n * 2_654_435_761L) % 100_000) + 1;
    }

    // ---- wire bytes -----------------------------------------------------------------------------------------------

    /**
     * One {@code -M prepared} statement from the client, in one read: Bind (unnamed portal, statement {@value
     * #STATEMENT}, no parameter format codes, one text parameter, one result format code 0), Describe portal,
     * Execute, Sync — libpq's {@code PQsendQueryPrepared}.
     */
    public static Buffer preparedRequest(int aid) {
        byte[] value = Integer.toString(aid).getBytes(StandardCharsets.UTF_8);
        Buffer bind = Buffer.buffer().appendByte(BIND).appendInt(0);
        cstring(bind, "");
        cstring(bind, STATEMENT);
        bind.appendShort((short) 0)
                .appendShort((short) 1)
                .appendInt(value.length)
                .appendBytes(value);
        bind.appendShort((short) 1).appendShort((short) 0);
        bind.setInt(1, bind.length() - 1);
        return Buffer.buffer()
                .appendBuffer(bind)
                .appendBuffer(PgMessages.describe(TARGET_PORTAL, ""))
                .appendBuffer(PgMessages.execute("", 0))
                .appendBuffer(PgMessages.sync());
    }

    /** One {@code -M simple} statement from the client: a Query. */
    public static Buffer simpleRequest(int aid) {
        return PgMessages.query(simpleSql(aid));
    }

    /**
     * The backend's answer to {@link #preparedRequest}: BindComplete, RowDescription ({@code abalance}, int4, text),
     * one DataRow, CommandComplete {@code SELECT 1}, ReadyForQuery idle.
     */
    public static Buffer preparedReply(int abalance) {
        return Buffer.buffer()
                .appendBuffer(frame(BIND_COMPLETE, Buffer.buffer()))
                .appendBuffer(rowDescription(PGBENCH_FIELDS))
                .appendBuffer(dataRow(Integer.toString(abalance)))
                .appendBuffer(frame(COMMAND_COMPLETE, cstring(Buffer.buffer(), "SELECT 1")))
                .appendBuffer(PgMessages.readyForQuery(TX_IDLE));
    }

    /** The row of {@link #preparedReply}. */
    public static Buffer pgbenchRow(int abalance) {
        return dataRow(Integer.toString(abalance));
    }

    /** A row of {@link #CUSTOMERS_SQL}, as the test data has it. */
    public static Buffer customersRow() {
        return dataRow("Ada Lovelace", "ada@example.com", "4111111111111111");
    }

    /** pgbench_accounts.abalance as RowDescription describes it. */
    public static final List<Field> PGBENCH_FIELDS =
            List.of(new Field("abalance", PGBENCH_ACCOUNTS, (short) 3, INT4, (short) 4, -1, (short) 0));

    /** name, email, card_number of customers as RowDescription describes them. */
    public static final List<Field> CUSTOMERS_FIELDS = List.of(
            new Field("name", CUSTOMERS, (short) 2, TEXT, (short) -1, -1, (short) 0),
            new Field("email", CUSTOMERS, (short) 3, TEXT, (short) -1, -1, (short) 0),
            new Field("card_number", CUSTOMERS, (short) 4, TEXT, (short) -1, -1, (short) 0));

    private static Buffer rowDescription(List<Field> fields) {
        Buffer b = Buffer.buffer().appendShort((short) fields.size());
        for (Field f : fields) {
            cstring(b, f.name())
                    .appendInt(f.tableOid())
                    .appendShort(f.column())
                    .appendInt(f.typeOid())
                    .appendShort(f.typeLength())
                    .appendInt(f.typeModifier())
                    .appendShort(f.format());
        }
        return frame(ROW_DESCRIPTION, b);
    }

    private static Buffer dataRow(String... values) {
        List<Buffer> v = new ArrayList<>();
        for (String s : values) {
            v.add(Buffer.buffer(s.getBytes(StandardCharsets.UTF_8)));
        }
        return PgMessages.dataRow(v);
    }

    private static Buffer frame(byte type, Buffer body) {
        return Buffer.buffer().appendByte(type).appendInt(body.length() + 4).appendBuffer(body);
    }

    private static Buffer cstring(Buffer b, String s) {
        return b.appendBytes(s.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
    }

    // ---- the session a statement is decided in ---------------------------------------------------------------------

    /** The default pack's mask rules (policy-service's default-masking.yaml), which apply to every statement. */
    public static final List<MaskRule> DEFAULT_MASKS = MaskingFixtures.DEFAULT_RULES;

    /** The default pack's allow of a read: shape-scoped, with the two masking rules' reasons. */
    public static final Decision ALLOW = new Decision(
            Decision.Action.ALLOW,
            List.of("sensitive columns are masked", "sensitive values are masked"),
            List.of("mask-sensitive-columns", "mask-sensitive-values"),
            DEFAULT_MASKS,
            true,
            "0d9f3a4e-5b6c-4d7e-8f90-a1b2c3d4e5f6",
            "sha256:5f1d0c8e9b7a6f4e3d2c1b0a99887766554433221100ffeeddccbbaa99887766",
            Decision.CacheScope.SHAPE);

    /** The target's catalog: search_path pg_catalog, public; pgbench_accounts and customers. */
    public static final PgCatalog CATALOG = PgCatalog.fromRows(List.of(
            new String[] {"p", "1", "pg_catalog", null, null, null},
            new String[] {"p", "2", "public", null, null, null},
            new String[] {"r", "16397", "public", "pgbench_accounts", "r", "{aid,bid,abalance,filler}"},
            new String[] {"r", "16390", "public", "customers", "r", "{id,name,email,card_number,note}"}));

    /** demo-agent's read session on pg-demo, as the proxy's policy input holds it. */
    public static PolicyInput.Session policyInput() {
        Instant now = Instant.now();
        AgentIdentity identity = new AgentIdentity(
                "demo-agent",
                "6c1d3f0a-2b4e-4c5d-9e8f-7a6b5c4d3e2f",
                List.of(),
                List.of("profile", "conn:pg-demo:read"),
                "read",
                now.plusSeconds(300),
                now);
        Connection connection = new Connection(
                "pg-demo",
                ConnectionType.POSTGRES,
                "127.0.0.1:5432",
                "demo",
                List.of(AccessLevel.READ, AccessLevel.WRITE),
                Map.of(),
                Map.of("env", "dev"),
                null,
                null,
                null);
        return PolicyInput.Session.of(
                identity, connection, "3f2e1d0c-9b8a-4765-8432-10fedcba9876", "127.0.0.1:51234", now);
    }

    /** The proxy's analyzer with its default parse limit ({@code portcullis.pg.max-parse-length}). */
    public static SqlAnalyzer analyzer() {
        return new SqlAnalyzer(100_000);
    }

    /** The analysis of {@code sql} (one statement), as a session makes it. */
    public static StatementInfo analyzed(String sql) {
        return new PgStatementAnalysis(analyzer()).analyzeOne(sql, 0, true);
    }

    /** A Bind's policy request without its parameters: what a prepared statement's plan keeps ({@code BindPlan}). */
    public static JsonObject bindRequestWithoutParameters() {
        return PolicyRequest.of("execute", PREPARED_SQL, List.of(analyzed(PREPARED_SQL)), null, CATALOG);
    }

    /** One Bind's policy request, as {@code PgClientMessages.onBind} makes it from the plan's. */
    public static JsonObject bindRequest(JsonObject withoutParameters, int aid) {
        return new JsonObject(new java.util.LinkedHashMap<>(withoutParameters.getMap()))
                .put("parameters", new JsonArray().add(Integer.toString(aid)));
    }

    /** One simple Query's policy request, from the session's analysis of it. */
    public static JsonObject queryRequest(String sql, List<StatementInfo> infos) {
        return PolicyRequest.of("query", sql, infos, null, CATALOG);
    }

    /** The proxy's masker without a hash key (the default pack uses redact and last4 only). */
    public static Masker masker() {
        return Masker.withoutHashKey();
    }

    /** A session's result masking with {@link #CATALOG} loaded. */
    static PgResultMasking masking(Masker masker) {
        PgCatalogCache cache = new PgCatalogCache(Duration.ofDays(1), System::nanoTime);
        PgCatalogCache.Key key = new PgCatalogCache.Key("pg-demo", "demo_read", "\"$user\", public");
        cache.put(key, cache.generation(key.connection()), CATALOG);
        PgResultMasking masking = new PgResultMasking(cache, masker, key, System::nanoTime);
        if (masking.needsLoad() || masking.catalog() != CATALOG) {
            throw new IllegalStateException("the benchmark's catalog was not adopted");
        }
        return masking;
    }

    /**
     * The data of the {@code session.request} a statement is recorded with (v2: its decision embedded), as {@code
     * PgRecording.requestDecided} writes it.
     */
    static JsonObject recordedRequest(PgRecording recording, JsonObject request, Decision d, boolean cached) {
        return recording
                .maskedRequest(request, List.of())
                .put(
                        SessionEventFields.DECISION,
                        SessionData.embeddedDecision(
                                d.action().wire(), d.reasons(), d.rules(), d.decisionId(), cached));
    }

    /**
     * The recorded data of {@code pgbench -M prepared}'s Binds of {@code aids}, decided from the cache, as one session
     * records them.
     */
    public static List<JsonObject> recordedBinds(int... aids) {
        PgRecording recording = new PgRecording(masker());
        JsonObject withoutParameters = bindRequestWithoutParameters();
        List<JsonObject> out = new ArrayList<>(aids.length);
        for (int aid : aids) {
            out.add(recordedRequest(recording, bindRequest(withoutParameters, aid), ALLOW, true));
        }
        return out;
    }
}
