package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.codec.PgProtocol.*;

import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.DecisionCache;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.PolicyInput;
import dev.portcullis.proxy.pg.PgReplyQueue.Expect;
import dev.portcullis.proxy.pg.PgReplyQueue.Kind;
import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages.Bind;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.masking.CopyGuard;
import dev.portcullis.proxy.pg.sql.PolicyRequest;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import dev.portcullis.proxy.pg.sql.SqlLexer;
import dev.portcullis.proxy.pg.sql.SqlStatement;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The client's statements in READY: a simple Query converted to one Parse/Bind/Describe/Execute per statement and
 * one Sync, the extended protocol's messages with the names of prepared statements and portals followed as the
 * backend accepts them; each Query and Bind decided by the {@link StatementGuard} before anything reaches the
 * backend. Runs on the session's event loop.
 */
final class PgClientMessages {

    private final PgSession s;

    PgClientMessages(PgSession session) {
        this.s = session;
    }

    // ---- simple Query: each statement its own Parse/Bind/Describe/Execute, one Sync -----------------

    /** One statement of a Query or the statement of a Bind, as the proxy will decide and run it. */
    record Step(SqlStatement statement, SqlCommand command, List<StatementInfo> decided, List<MaskRule> masks) {}

    /**
     * A prepared statement's Binds differ in their parameters only: what deciding one needs besides them — its
     * analysis, its policy request without parameters and that request's shape digest for the decision cache — is
     * worked out once and kept while what it was worked out from stays: the statement's text (immutable), the catalog
     * snapshot (by identity: a reload or an invalidation is a new one), standard_conforming_strings and the session's
     * policy input (one per session). Only a plain statement (no EXECUTE, FETCH, … naming something that can change).
     */
    record BindPlan(
            PgCatalog catalog,
            boolean scs,
            PolicyInput.Session session,
            SqlCommand command,
            StatementInfo info,
            Step step,
            JsonObject request,
            String shape) {

        boolean stillFor(PgCatalog c, boolean standardConformingStrings, PolicyInput.Session s) {
            return catalog == c && scs == standardConformingStrings && session == s;
        }
    }

    void onQuery(Buffer frame) {
        String sql = PgFrontendMessages.Query.decode(frame).sql();
        s.book.forgetUnnamed(); // PostgreSQL drops the unnamed statement and portal for every Query
        List<SqlStatement> parts = SqlLexer.split(sql, s.scs);
        if (parts.isEmpty()) {
            // only whitespace or comments: answered here, never forwarded
            Expect e = new Expect(Kind.SYNTHETIC);
            e.synthetic = EMPTY_QUERY;
            e.ready = true;
            s.replies.enqueueSynthetic(e);
            return;
        }
        List<StatementInfo> infos = s.analysis.analyze(sql, parts, s.scs);
        List<Step> steps = new ArrayList<>(parts.size());
        List<StatementInfo> decided = parts.size() == 1 ? null : new ArrayList<>(parts.size());
        StatementGuard.Refusal refusal = null;
        boolean cacheable = true;
        for (int i = 0; i < parts.size(); i++) {
            SqlStatement part = parts.get(i);
            StatementInfo info = infos.get(i);
            if (parts.size() > 1) {
                String sensitive = SqlCommand.blockSensitive(part.text(), s.scs, info.type(), i == parts.size() - 1);
                if (sensitive != null && refusal == null) {
                    refusal = new StatementGuard.Refusal(
                            SQLSTATE_FEATURE_NOT_SUPPORTED,
                            sensitive + " cannot run through Portcullis in a query with other statements:"
                                    + " send it as its own query");
                }
            }
            SqlCommand command = SqlCommand.parse(part.text(), s.scs);
            Step step = resolve(part, command, info);
            if (step == null) {
                if (refusal == null) {
                    refusal = StatementGuard.refusalOf(command);
                }
                step = new Step(part, command, List.of(info), List.of());
            }
            cacheable &= command.verb() == SqlCommand.Verb.OTHER;
            steps.add(step);
            if (decided != null) {
                decided.addAll(step.decided());
            }
        }
        List<StatementInfo> all = decided != null ? decided : steps.get(0).decided();
        JsonObject request = PolicyRequest.of("query", sql, all, null, s.masking.catalog());
        if (refusal != null) {
            s.guard.raise(refusal, s.recording.request(request), true);
            return;
        }
        // a statement naming a prepared statement or cursor is decided on what it names now: never cached
        s.guard.decide(cacheable, true, request, (decision, requestSeq) -> {
            switch (decision.action()) {
                case ALLOW -> runQuery(steps, sql, decision.mask(), requestSeq);
                case DENY ->
                    s.guard.raise(
                            new StatementGuard.Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, decision.message()),
                            requestSeq,
                            true);
                case REVIEW ->
                    s.guard.review(
                            request,
                            decision,
                            requestSeq,
                            true,
                            () -> runQuery(steps, sql, decision.mask(), requestSeq));
            }
        });
    }

    private static final Buffer EMPTY_QUERY =
            Buffer.buffer(5).appendByte(EMPTY_QUERY_RESPONSE).appendInt(4);

    /**
     * What a statement is decided on: a statement naming a prepared statement or cursor is decided on
     * the text it names, PREPARE and DECLARE on the statement they hold. Null when the proxy refuses
     * it ({@link #refusalOf}).
     */
    private Step resolve(SqlStatement part, SqlCommand command, StatementInfo info) {
        switch (command.verb()) {
            case OTHER, DEALLOCATE, CLOSE, DISCARD_ALL -> {
                return command.name() != null && StatementBook.nameTooLong(command.name())
                        ? null
                        : new Step(part, command, List.of(info), List.of());
            }
            case PREPARE, DECLARE -> {
                if (StatementBook.nameTooLong(command.name())
                        || command.verb() == SqlCommand.Verb.PREPARE && s.book.statementTaken(command.name())) {
                    return null;
                }
                return new Step(
                        part,
                        command,
                        List.of(s.analysis.analyzeOne(command.inner(), part.offset() + command.innerOffset(), s.scs)),
                        List.of());
            }
            case EXECUTE -> {
                StatementBook.Prepared p = s.book.statement(command.name());
                return p == null
                        ? null
                        : new Step(
                                part, command, List.of(s.analysis.analyzeOne(p.sql, part.offset(), s.scs)), List.of());
            }
            case FETCH -> {
                StatementBook.Portal cursor = s.book.portal(command.name());
                return cursor == null
                        ? null
                        : new Step(
                                part,
                                command,
                                List.of(s.analysis.analyzeOne(cursor.text, part.offset(), s.scs)),
                                cursor.masks);
            }
            default -> {
                return null;
            }
        }
    }

    /** Runs an allowed Query: one Parse/Bind/Describe/Execute per statement, one Sync after the last. */
    private void runQuery(List<Step> steps, String sql, List<MaskRule> masks, long requestSeq) {
        boolean[] copyDetectors = new boolean[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            List<MaskRule> stepMasks = step.masks().isEmpty() ? masks : union(masks, step.masks());
            StatementGuard.Refusal refused =
                    s.guard.copyRefusal(stepMasks, step.statement().text());
            if (refused != null) {
                s.guard.raise(refused, requestSeq, true); // nothing of the Query reaches the backend
                return;
            }
            copyDetectors[i] = s.guard.copyVerdict == CopyGuard.Verdict.MASK_DETECTORS;
        }
        s.book.forgetUnnamed();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            SqlStatement st = step.statement();
            int shift = st.offset() == 0 ? 0 : sql.codePointCount(0, st.offset());
            List<MaskRule> stepMasks = step.masks().isEmpty() ? masks : union(masks, step.masks());
            StatementInfo info = step.decided().get(0);
            StatementBook.Portal portal =
                    new StatementBook.Portal(st.text(), null, null, stepMasks, requestSeq, false, s.replies.syncsSent);
            portal.info = info;
            Expect parse = stepExpect(Kind.PARSE, stepMasks, info, shift);
            parse.swallow = true;
            Expect bind = stepExpect(Kind.BIND, stepMasks, info, shift);
            bind.swallow = true;
            Expect describe = stepExpect(Kind.DESCRIBE_PORTAL, stepMasks, info, shift);
            describe.converted = true;
            describe.portal = portal;
            describe.masks = List.of(); // its RowDescription is no data
            Expect exec = stepExpect(Kind.EXECUTE, stepMasks, info, shift);
            exec.portal = portal;
            exec.requestSeq = requestSeq;
            exec.copyDetectors = copyDetectors[i];
            applyCommand(step.command(), stepMasks, requestSeq, exec);
            s.replies.forward(PgMessages.parse("", st.text()), parse);
            s.replies.forward(UNNAMED_BIND, bind);
            s.replies.forward(UNNAMED_DESCRIBE, describe);
            s.replies.forward(UNNAMED_EXECUTE, exec);
        }
        Expect sync = s.replies.sync();
        s.replies.expects.add(sync);
        if (steps.size() == 1
                && "copy".equals(new SqlCommand.Tokens(steps.get(0).statement().text(), s.scs).word())) {
            // without a Sync the backend keeps its replies buffered: Flush asks for them (and is
            // ignored in copy-in); the Sync goes once the backend shows it is not (or no longer) in copy-in
            s.toBackend.add(PgMessages.flush());
            s.replies.copySync = PgMessages.sync();
        } else {
            s.toBackend.add(PgMessages.sync());
        }
    }

    /** One message of a converted statement: its errors and notices are masked as its rows are. */
    private static Expect stepExpect(Kind kind, List<MaskRule> masks, StatementInfo info, int shift) {
        Expect e = new Expect(kind);
        e.masks = masks;
        e.info = info;
        e.positionShift = shift;
        return e;
    }

    static final Buffer UNNAMED_BIND = PgMessages.bind("", "");
    private static final Buffer UNNAMED_DESCRIBE = PgMessages.describe(TARGET_PORTAL, "");
    static final Buffer UNNAMED_EXECUTE = PgMessages.execute("", 0);

    private static List<MaskRule> union(List<MaskRule> a, List<MaskRule> b) {
        List<MaskRule> out = new ArrayList<>(a);
        for (MaskRule m : b) {
            if (!out.contains(m)) {
                out.add(m);
            }
        }
        return List.copyOf(out);
    }

    /** The namespace changes a SQL command makes, applied as it is sent and taken back if it does not run. */
    private void applyCommand(SqlCommand command, List<MaskRule> masks, long requestSeq, Expect e) {
        String name = command.name();
        switch (command.verb()) {
            case PREPARE -> e.undo(s.book.parse(name, new StatementBook.Prepared(command.inner(), new int[0])));
            case DEALLOCATE -> {
                if (name == null) {
                    e.undo(s.book.deallocateAll());
                    e.done = s.book::allStatementsGone;
                } else {
                    e.undo(s.book.closeStatement(name));
                    e.done = () -> s.book.statementGone(name);
                }
            }
            case DECLARE -> {
                StatementBook.Portal cursor = new StatementBook.Portal(
                        command.inner(), null, null, masks, requestSeq, command.hold(), s.replies.syncsSent);
                cursor.info = e.info;
                e.undo(s.book.bind(name, cursor));
            }
            case CLOSE -> e.undo(name == null ? s.book.closeAllPortals() : s.book.closePortal(name));
            case DISCARD_ALL -> {
                e.undo(s.book.deallocateAll());
                e.undo(s.book.closeAllPortals());
                e.done = s.book::allStatementsGone;
            }
            default -> {}
        }
    }

    // ---- extended protocol: the names follow what the backend accepts -------------------------------

    void onParse(Buffer frame) {
        PgFrontendMessages.Parse parse = PgFrontendMessages.Parse.decode(frame);
        String name = parse.statement();
        if (StatementBook.nameTooLong(name)) {
            s.guard.raise(
                    StatementGuard.refusalOf(new SqlCommand(SqlCommand.Verb.PREPARE, name, null, -1, false)),
                    -1,
                    false);
            return;
        }
        if (!name.isEmpty() && s.book.statementTaken(name)) {
            // PostgreSQL refuses it (42P05); the proxy answers for it so its record stays the backend's
            s.guard.raise(
                    StatementGuard.refusalOf(new SqlCommand(SqlCommand.Verb.PREPARE, name, null, -1, false)),
                    -1,
                    false);
            return;
        }
        Expect e = new Expect(Kind.PARSE);
        e.undo(s.book.parse(name, new StatementBook.Prepared(parse.sql(), parse.parameterTypes())));
        s.replies.forward(frame, e);
    }

    void onDescribe(Buffer frame) {
        PgFrontendMessages.Target t = PgFrontendMessages.Target.decode(frame);
        Expect e = new Expect(t.kind() == TARGET_STATEMENT ? Kind.DESCRIBE_STATEMENT : Kind.DESCRIBE_PORTAL);
        e.name = t.name();
        if (t.kind() == TARGET_STATEMENT) {
            StatementBook.Prepared p = s.book.statement(t.name());
            if (p == null) {
                s.guard.raise(StatementGuard.unknownStatement(t.name()), -1, false);
                return;
            }
            p.describeRequested = true;
        } else {
            StatementBook.Portal p = s.book.portal(t.name());
            if (p == null) {
                s.guard.raise(StatementGuard.unknownPortal(t.name()), -1, false);
                return;
            }
            p.describeRequested = true;
            e.portal = p;
        }
        s.replies.forward(frame, e);
    }

    void onClose(Buffer frame) {
        PgFrontendMessages.Target t = PgFrontendMessages.Target.decode(frame);
        String name = t.name();
        Expect e = new Expect(Kind.CLOSE);
        if (t.kind() == TARGET_STATEMENT) {
            e.undo(s.book.closeStatement(name));
            e.done = () -> s.book.statementGone(name);
        } else {
            e.undo(s.book.closePortal(name));
        }
        s.replies.forward(frame, e);
    }

    void onBind(Buffer frame) {
        Bind bind = Bind.decode(frame);
        if (StatementBook.nameTooLong(bind.portal())) {
            s.guard.raise(
                    StatementGuard.refusalOf(new SqlCommand(SqlCommand.Verb.DECLARE, bind.portal(), null, -1, false)),
                    -1,
                    false);
            return;
        }
        StatementBook.Prepared prepared = s.book.statement(bind.statement());
        if (prepared == null) {
            s.guard.raise(StatementGuard.unknownStatement(bind.statement()), -1, false);
            return;
        }
        String sql = prepared.sql;
        JsonArray params = PgBindParameters.of(bind, prepared.parameterTypes);
        PgCatalog catalog = s.masking.catalog();
        PolicyInput.Session session = s.policyInput();
        BindPlan plan = prepared.bindPlan;
        SqlCommand command;
        Step step;
        JsonObject request;
        String shape = null;
        if (plan != null && plan.stillFor(catalog, s.scs, session)) {
            command = plan.command();
            step = plan.step();
            request = new JsonObject(new LinkedHashMap<>(plan.request().getMap())).put("parameters", params);
            shape = plan.shape();
        } else {
            prepared.bindPlan = null;
            // the statement as PostgreSQL holds it is one statement (Parse refuses more): decided as one
            SqlStatement whole = new SqlStatement(sql, 0);
            command = SqlCommand.parse(sql, s.scs);
            StatementInfo info = s.analysis.analyzeOne(sql, 0, s.scs);
            step = resolve(whole, command, info);
            List<StatementInfo> decided = step == null ? List.of(info) : step.decided();
            request = PolicyRequest.of("execute", sql, decided, params, catalog);
            if (step != null && command.verb() == SqlCommand.Verb.OTHER) {
                JsonObject base = PolicyRequest.of("execute", sql, decided, null, catalog);
                shape = DecisionCache.shapeOf(session, request);
                prepared.bindPlan = new BindPlan(catalog, s.scs, session, command, info, step, base, shape);
            }
        }
        if (step == null) {
            s.guard.raise(StatementGuard.refusalOf(command), s.recording.request(request), false);
            return;
        }
        // a statement naming a prepared statement or cursor is decided on what it names now: never cached
        s.guard.decide(command.verb() == SqlCommand.Verb.OTHER, false, request, shape, (decision, requestSeq) -> {
            switch (decision.action()) {
                case ALLOW -> allowBind(frame, bind, prepared, step, decision, requestSeq);
                case DENY ->
                    s.guard.raise(
                            new StatementGuard.Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, decision.message()),
                            requestSeq,
                            false);
                case REVIEW ->
                    s.guard.review(
                            request,
                            decision,
                            requestSeq,
                            false,
                            () -> allowBind(frame, bind, prepared, step, decision, requestSeq));
            }
        });
    }

    private void allowBind(
            Buffer frame, Bind bind, StatementBook.Prepared prepared, Step step, Decision decision, long requestSeq) {
        List<MaskRule> masks = step.masks().isEmpty() ? decision.mask() : union(decision.mask(), step.masks());
        StatementGuard.Refusal refused = s.guard.copyRefusal(masks, prepared.sql);
        if (refused != null) {
            s.guard.raise(refused, requestSeq, false);
            return;
        }
        StatementBook.Portal portal =
                new StatementBook.Portal(prepared.sql, prepared, bind, masks, requestSeq, false, s.replies.syncsSent);
        if (step.command().verb() != SqlCommand.Verb.OTHER) {
            portal.command = step.command();
        }
        portal.info = step.decided().get(0);
        portal.copyDetectors = s.guard.copyVerdict == CopyGuard.Verdict.MASK_DETECTORS;
        Expect e = new Expect(Kind.BIND);
        e.masks = masks;
        e.info = portal.info;
        e.undo(s.book.bind(bind.portal(), portal));
        s.replies.forward(frame, e);
    }

    void onExecute(Buffer frame) {
        PgFrontendMessages.Execute ex = PgFrontendMessages.Execute.decode(frame);
        StatementBook.Portal portal = s.book.portal(ex.portal());
        if (portal == null) {
            s.guard.raise(StatementGuard.unknownPortal(ex.portal()), -1, false);
            return;
        }
        Expect e = new Expect(Kind.EXECUTE);
        e.portal = portal;
        e.masks = portal.masks;
        e.info = portal.info;
        e.copyDetectors = portal.copyDetectors;
        e.requestSeq = portal.requestSeq;
        if (portal.command != null) {
            applyCommand(portal.command, portal.masks, portal.requestSeq, e);
            portal.command = null; // a portal runs its command once; a second Execute returns nothing more
        }
        if (!portal.masks.isEmpty()
                && portal.description == null
                && !portal.describeRequested
                && (portal.statement == null
                        || portal.statement.description == null && !portal.statement.describeRequested)) {
            // masking needs column names: ask for them and keep the answer from the client
            Expect d = new Expect(Kind.DESCRIBE_PORTAL);
            d.name = ex.portal();
            d.portal = portal;
            d.swallow = true;
            portal.describeRequested = true;
            s.replies.forward(PgMessages.describe(TARGET_PORTAL, ex.portal()), d);
        }
        s.replies.forward(frame, e);
    }
}
