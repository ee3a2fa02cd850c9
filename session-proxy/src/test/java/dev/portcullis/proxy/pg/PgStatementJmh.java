package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.PgbenchFixtures.*;

import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.DecisionCache;
import dev.portcullis.proxy.enforcement.PolicyInput;
import dev.portcullis.proxy.pg.codec.PgFrameDecoder;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages.Bind;
import dev.portcullis.proxy.pg.codec.PgProtocolException;
import dev.portcullis.proxy.pg.masking.ResultPlan;
import dev.portcullis.proxy.pg.sql.PolicyRequest;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import dev.portcullis.proxy.pg.sql.SqlLexer;
import dev.portcullis.proxy.pg.sql.SqlStatement;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the PostgreSQL gateway does per {@code pgbench -S} statement, piece by piece, each benchmark one step of
 * {@code PgSession}'s path with the proxy's own classes and the inputs that step gets (README "JMH: per-statement hot
 * paths"; run with {@code bench/jmh.sh}). Every operation takes the next of {@value #N} statements, each with its own
 * aid, so no piece answers from a memo that a real run would miss (and those a real run hits are hit here too: a
 * prepared statement's plan, the analysis of a shape, the last result's mask plan).
 *
 * <p>Named {@code *Jmh}: surefire never runs it; {@code verify} compiles it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PgStatementJmh {

    static final int N = 1024;

    private int next;

    // ---- inputs, one per statement
    private final Buffer[] preparedReads = new Buffer[N];
    private final Buffer[] bindFrames = new Buffer[N];
    private final Buffer[] simpleReads = new Buffer[N];
    private final String[] simpleSqls = new String[N];
    private final List<List<SqlStatement>> simpleParts = new ArrayList<>(N);
    private final List<List<StatementInfo>> simpleInfos = new ArrayList<>(N);
    private final JsonObject[] bindRequests = new JsonObject[N];
    private final JsonObject[] queryRequests = new JsonObject[N];
    private Buffer preparedReply;
    private Buffer pgbenchRow;
    private Buffer customersRow;

    // ---- session state
    private final List<Buffer> inbox = new ArrayList<>();
    private final List<Buffer> toClient = new ArrayList<>();
    private PgFrameDecoder clientDecoder;
    private PgFrameDecoder backendDecoder;
    private JsonObject planRequest;
    private String planShape;
    private PolicyInput.Session session;
    private DecisionCache decisions;
    private PgRecording recording;
    private PgStatementAnalysis analysis;
    private SqlAnalyzer analyzer;
    private PgResultMasking pgbenchMasking;
    private PgResultMasking customersMasking;
    private StatementInfo preparedInfo;
    private StatementInfo customersInfo;
    private Bind pgbenchBind;

    @Setup
    public void setUp() {
        session = policyInput();
        planRequest = bindRequestWithoutParameters();
        planShape = DecisionCache.shapeOf(session, planRequest);
        analyzer = analyzer();
        analysis = new PgStatementAnalysis(analyzer);
        for (int i = 0; i < N; i++) {
            int aid = aid(i);
            preparedReads[i] = preparedRequest(aid);
            bindFrames[i] = preparedReads[i].slice(0, preparedReads[i].getInt(1) + 1);
            simpleReads[i] = simpleRequest(aid);
            simpleSqls[i] = simpleSql(aid);
            simpleParts.add(SqlLexer.split(simpleSqls[i], true));
            simpleInfos.add(analysis.analyze(simpleSqls[i], simpleParts.get(i), true));
            bindRequests[i] = bindRequest(planRequest, aid);
            queryRequests[i] = queryRequest(simpleSqls[i], simpleInfos.get(i));
        }
        // pgbench's statement is analysed once per session: every later text of its shape is a hit
        check(simpleInfos.get(0).size() == 1 && simpleInfos.get(0).get(0).shapeIndependent(), "shape cached");
        preparedReply = preparedReply(-2341);
        pgbenchRow = pgbenchRow(-2341);
        customersRow = customersRow();

        clientDecoder = new PgFrameDecoder(PgFrameDecoder.State.MESSAGES, 10_000, 1 << 30, new Frames(inbox));
        backendDecoder = new PgFrameDecoder(PgFrameDecoder.State.MESSAGES, 10_000, 1 << 30, new Frames(toClient));

        // the cache holds the default pack's shape-scoped allow of both statements, as after the first of each
        decisions = new DecisionCache(10_000);
        decisions.put(DecisionCache.withShape(planShape, bindRequests[0], true), ALLOW, Duration.ofHours(1));
        decisions.put(DecisionCache.key(session, queryRequests[0], true), ALLOW, Duration.ofHours(1));
        check(decisions.get(DecisionCache.withShape(planShape, bindRequests[N - 1], true)) == ALLOW, "bind cache hit");
        check(decisions.get(DecisionCache.key(session, queryRequests[N - 1], true)) == ALLOW, "query cache hit");

        recording = new PgRecording(masker());
        preparedInfo = analyzed(PREPARED_SQL);
        customersInfo = analyzed(CUSTOMERS_SQL);
        pgbenchBind = Bind.decode(bindFrames[0]);
        pgbenchMasking = masking(masker());
        customersMasking = masking(masker());
        // the default pack on pgbench's row: abalance (int4, text) goes through the four detectors and stays
        ResultPlan plan = pgbenchMasking.plan(DEFAULT_MASKS, PGBENCH_FIELDS, pgbenchBind::resultFormat, preparedInfo);
        check(plan.column(0) != null && pgbenchMasking.maskRow(plan, pgbenchRow) == pgbenchRow, "pgbench row kept");
        // and on customers: email redacted, card_number's last four kept, name through the detectors
        ResultPlan customers = customersMasking.plan(DEFAULT_MASKS, CUSTOMERS_FIELDS, null, customersInfo);
        String masked = customersMasking.maskRow(customers, customersRow).toString();
        check(
                masked.contains("Ada Lovelace")
                        && masked.contains("[REDACTED]")
                        && masked.contains("1111")
                        && !masked.contains("ada@example.com")
                        && !masked.contains("4111111111111111"),
                "customers row masked");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark set-up: " + what);
        }
    }

    private int nextIndex() {
        int i = next;
        next = (i + 1) & (N - 1);
        return i;
    }

    /** Collects decoded frames as the session's handlers queue them (client: the inbox; backend: toClient). */
    private record Frames(List<Buffer> into) implements PgFrameDecoder.Handler {
        @Override
        public void onStartupPacket(Buffer packet) {
            throw new IllegalStateException("no startup packet here");
        }

        @Override
        public void onMessage(byte type, Buffer frame) {
            into.add(frame);
        }

        @Override
        public void onFramingError(PgProtocolException error) {
            throw error;
        }
    }

    // ---- client → proxy -------------------------------------------------------------------------------------------

    /** {@code -M prepared}: one client read (Bind, Describe, Execute, Sync) framed into the session's inbox. */
    @Benchmark
    public int prepared1DecodeClientFrames() {
        inbox.clear();
        clientDecoder.feed(preparedReads[nextIndex()]);
        return inbox.size();
    }

    /**
     * {@code -M prepared}: the Bind read ({@code Bind.decode}), its parameters as text ({@code PgBindParameters}) and
     * the policy request from the prepared statement's plan with them ({@code PgClientMessages.onBind}).
     */
    @Benchmark
    public JsonObject prepared2BindRequest() {
        Bind bind = Bind.decode(bindFrames[nextIndex()]);
        JsonArray params = PgBindParameters.of(bind, new int[0]);
        return new JsonObject(new LinkedHashMap<>(planRequest.getMap())).put("parameters", params);
    }

    /**
     * {@code -M prepared}: the decision-cache key from the plan's shape digest ({@code DecisionCache.withShape}: the
     * literals' JSON and one SHA-256) and the lookup (exact misses, shape hits).
     */
    @Benchmark
    public Decision prepared3DecisionCacheKey() {
        return decisions.get(DecisionCache.withShape(planShape, bindRequests[nextIndex()], true));
    }

    /**
     * {@code -M prepared}: the request as recorded ({@code PgRecording.maskedRequest}: text masked once per prepared
     * statement, the parameter through the detectors) with its decision embedded, the data of the statement's
     * {@code session.request}.
     */
    @Benchmark
    public JsonObject prepared4RecordedRequest() {
        return recordedRequest(recording, bindRequests[nextIndex()], ALLOW, true);
    }

    /** {@code -M simple}: one client read (a Query) framed, and its text read ({@code Query.decode}). */
    @Benchmark
    public String simple1DecodeQuery() {
        inbox.clear();
        clientDecoder.feed(simpleReads[nextIndex()]);
        return PgFrontendMessages.Query.decode(inbox.get(0)).sql();
    }

    /** {@code -M simple}: the Query split into statements ({@code SqlLexer.split}, scan.l's rules). */
    @Benchmark
    public List<SqlStatement> simple2LexerSplit() {
        return SqlLexer.split(simpleSqls[nextIndex()], true);
    }

    /** {@code -M simple}: the Query's shape ({@code SqlLexer.shape}, literals out): the analysis cache's key. */
    @Benchmark
    public String simple3LexerShape() {
        return SqlLexer.shape(simpleSqls[nextIndex()]);
    }

    /**
     * {@code -M simple}: the session's analysis of the Query ({@code PgStatementAnalysis.analyze}): its shape, a hit
     * in the shape cache, the cached info moved to this text. What every pgbench statement after the first costs.
     */
    @Benchmark
    public List<StatementInfo> simple4AnalysisCached() {
        int i = nextIndex();
        return analysis.analyze(simpleSqls[i], simpleParts.get(i), true);
    }

    /**
     * {@code -M simple}: the analysis without the shape cache ({@code SqlAnalyzer.analyze}, JSqlParser): what a
     * statement of a shape not seen yet (or one a literal goes into) costs.
     */
    @Benchmark
    public List<StatementInfo> simple5AnalyzerParse() {
        return analyzer.analyze(simpleSqls[nextIndex()], true);
    }

    /**
     * {@code -M simple}: what the Query is decided on: its command ({@code SqlCommand.parse}) and its policy request
     * ({@code PolicyRequest.of}, the statement's analysis as JSON).
     */
    @Benchmark
    public JsonObject simple6PolicyRequest() {
        int i = nextIndex();
        String sql = simpleSqls[i];
        SqlCommand command = SqlCommand.parse(sql, true);
        if (command.verb() != SqlCommand.Verb.OTHER) {
            throw new IllegalStateException("pgbench's SELECT read as " + command.verb());
        }
        return PolicyRequest.of("query", sql, simpleInfos.get(i), null, CATALOG);
    }

    /**
     * {@code -M simple}: the decision-cache key without a plan ({@code DecisionCache.key}: the request's structure
     * and literals as JSON, two SHA-256) and the lookup (exact misses, shape hits).
     */
    @Benchmark
    public Decision simple7DecisionCacheKey() {
        return decisions.get(DecisionCache.key(session, queryRequests[nextIndex()], true));
    }

    /** {@code -M simple}: the request as recorded (a new text each time: through the detectors) with its decision. */
    @Benchmark
    public JsonObject simple8RecordedRequest() {
        return recordedRequest(recording, queryRequests[nextIndex()], ALLOW, true);
    }

    // ---- backend → proxy → client ---------------------------------------------------------------------------------

    /**
     * The reply to one {@code -M prepared} statement (BindComplete, RowDescription, DataRow, CommandComplete,
     * ReadyForQuery) framed and queued for the client unchanged.
     */
    @Benchmark
    public int reply1DecodeFrames() {
        toClient.clear();
        backendDecoder.feed(preparedReply);
        return toClient.size();
    }

    /**
     * pgbench's one-row result under the default pack ({@code PgReplyQueue.mask}): the result's plan (the last one
     * reused: {@code PgResultMasking.plan}) and the row through it ({@code maskRow}: abalance through the detectors'
     * pre-checks, the frame kept).
     */
    @Benchmark
    public Buffer reply2MaskPgbenchRow() {
        ResultPlan plan = pgbenchMasking.plan(DEFAULT_MASKS, PGBENCH_FIELDS, pgbenchBind::resultFormat, preparedInfo);
        return pgbenchMasking.maskRow(plan, pgbenchRow);
    }

    /**
     * A row of {@code SELECT name, email, card_number FROM customers} under the default pack: email redacted,
     * card_number to its last four, name through the detectors; the row re-encoded.
     */
    @Benchmark
    public Buffer reply3MaskCustomersRow() {
        ResultPlan plan = customersMasking.plan(DEFAULT_MASKS, CUSTOMERS_FIELDS, null, customersInfo);
        return customersMasking.maskRow(plan, customersRow);
    }
}
