package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.codec.PgProtocol.*;

import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.DecisionCache;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.PolicyInput;
import dev.portcullis.proxy.enforcement.ReviewHolds;
import dev.portcullis.proxy.enforcement.ReviewRequests;
import dev.portcullis.proxy.enforcement.WriteAhead;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.masking.CopyGuard;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The statement guard of a session: the policy decision (the proxy's one {@link DecisionCache}), review
 * ({@link ReviewRequests}), the proxy's own refusals and the deny, raised by the backend from a DO block so
 * transaction state ends as PostgreSQL's would. Runs on the session's event loop.
 */
final class StatementGuard {

    private static final String SQLSTATE_UNDEFINED_PSTATEMENT = "26000";
    private static final String SQLSTATE_UNDEFINED_CURSOR = "34000";
    private static final String SQLSTATE_DUPLICATE_PSTATEMENT = "42P05";
    private static final String SQLSTATE_NAME_TOO_LONG = "42622";

    private final PgSession s;

    StatementGuard(PgSession session) {
        this.s = session;
    }

    /** A refusal of the proxy's own, raised by the backend so transaction state ends as PostgreSQL's would. */
    record Refusal(String sqlstate, String message) {}

    static Refusal refusalOf(SqlCommand command) {
        String name = command.name();
        if (name != null && StatementBook.nameTooLong(name)) {
            return new Refusal(
                    SQLSTATE_NAME_TOO_LONG,
                    "names of prepared statements and cursors are limited to " + StatementBook.MAX_NAME_BYTES
                            + " bytes through Portcullis");
        }
        return switch (command.verb()) {
            case PREPARE ->
                new Refusal(SQLSTATE_DUPLICATE_PSTATEMENT, quoted("prepared statement", name) + " already exists");
            case EXECUTE ->
                new Refusal(SQLSTATE_UNDEFINED_PSTATEMENT, quoted("prepared statement", name) + " does not exist");
            case FETCH -> new Refusal(SQLSTATE_UNDEFINED_CURSOR, quoted("cursor", name) + " does not exist");
            case NESTED_EXECUTE ->
                new Refusal(
                        SQLSTATE_FEATURE_NOT_SUPPORTED,
                        "EXECUTE of a prepared statement inside another command is not supported through Portcullis:"
                                + " run EXECUTE on its own");
            default ->
                new Refusal(
                        SQLSTATE_FEATURE_NOT_SUPPORTED,
                        "Portcullis cannot read the name of the prepared statement or cursor in this statement:"
                                + " use a plain or double-quoted identifier");
        };
    }

    private static String quoted(String what, String name) {
        return what + " \"" + name + "\"";
    }

    /** The verdict of the last {@link #copyRefusal} (null: the statement is no COPY … TO). */
    CopyGuard.Verdict copyVerdict;

    /**
     * A {@code COPY … TO} under masks: refused when it reads masked data or asks for binary (COPY's rows have no
     * RowDescription to mask by), else its rows go through the detectors ({@link #copyVerdict}).
     */
    Refusal copyRefusal(List<MaskRule> masks, String statement) {
        copyVerdict = s.masking
                .copy(masks, statement, text -> s.analysis.analyzeOne(text, 0, s.scs))
                .orElse(null);
        if (copyVerdict == CopyGuard.Verdict.REFUSE) {
            return new Refusal(CopyGuard.SQLSTATE, CopyGuard.REFUSED);
        }
        if (copyVerdict == CopyGuard.Verdict.REFUSE_BINARY) {
            return new Refusal(CopyGuard.SQLSTATE, CopyGuard.BINARY_REFUSED);
        }
        return null;
    }

    /**
     * Refuses or denies by having the backend raise the error from a DO block, run as the unnamed
     * statement, so transaction state ends as PostgreSQL's would. In a Query it ends with the Query's
     * Sync; in the extended protocol the client's messages up to its Sync are dropped, as PostgreSQL
     * drops them after an error.
     */
    void raise(Refusal refusal, long requestSeq, boolean query) {
        s.book.forgetUnnamed();
        PgReplyQueue.Expect parse = new PgReplyQueue.Expect(PgReplyQueue.Kind.PARSE);
        parse.swallow = true;
        PgReplyQueue.Expect bind = new PgReplyQueue.Expect(PgReplyQueue.Kind.BIND);
        bind.swallow = true;
        PgReplyQueue.Expect exec = new PgReplyQueue.Expect(PgReplyQueue.Kind.EXECUTE);
        exec.deny = true;
        exec.requestSeq = requestSeq;
        s.replies.forward(PgMessages.parse("", denySql(refusal.sqlstate(), refusal.message())), parse);
        s.replies.forward(PgClientMessages.UNNAMED_BIND, bind);
        s.replies.forward(PgClientMessages.UNNAMED_EXECUTE, exec);
        if (query) {
            s.replies.forward(PgMessages.sync(), s.replies.sync());
        } else {
            s.skipUntilSync = true;
        }
    }

    static String denySql(String message) {
        return denySql(SQLSTATE_INSUFFICIENT_PRIVILEGE, message);
    }

    static String denySql(String sqlstate, String message) {
        String m = message.replace("$", "");
        return "DO $portcullis$BEGIN RAISE EXCEPTION USING ERRCODE = '" + sqlstate + "', MESSAGE = $pcm$" + m
                + "$pcm$; END$portcullis$";
    }

    static Refusal unknownStatement(String name) {
        return new Refusal(
                SQLSTATE_UNDEFINED_PSTATEMENT,
                name.isEmpty()
                        ? "unnamed prepared statement does not exist"
                        : quoted("prepared statement", name) + " does not exist");
    }

    static Refusal unknownPortal(String name) {
        return new Refusal(SQLSTATE_UNDEFINED_CURSOR, quoted("portal", name) + " does not exist");
    }

    /** What runs once a request and its decision are recorded: the decision and the request's seq. */
    interface Decided {
        void run(Decision decision, long requestSeq);
    }

    /**
     * Asks policy, or the proxy's one {@link DecisionCache}: keyed by the whole policy input (exact), and by its
     * shape only for a decision policy-service scoped {@code shape}; every entry tied to the policy revision.
     *
     * <p>The request is recorded with its decision, in one event ({@link PgRecording#requestDecided}), once the
     * decision is known. Write-ahead: {@code then} runs only once that event is recorded ({@link WriteAhead}); a
     * statement whose event cannot be recorded is refused ({@value #SQLSTATE_UNRECORDED}) and never runs.
     *
     * @param cacheable false: never cached (the statement names something whose text can change)
     * @param query true for a simple Query, false for the extended protocol (how a refusal ends)
     */
    void decide(boolean cacheable, boolean query, JsonObject request, Decided then) {
        decide(cacheable, query, request, null, then);
    }

    /**
     * As {@link #decide(boolean, boolean, JsonObject, Decided)}, with the request's shape digest known ({@link
     * DecisionCache#shapeOf} of a request of the same structure; null: worked out here).
     */
    void decide(boolean cacheable, boolean query, JsonObject request, String shape, Decided then) {
        PolicyInput.Session shared = s.policyInput();
        ProxyConfig.DecisionCache mode = s.gw.config().pg().decisionCache();
        boolean byShape = mode == ProxyConfig.DecisionCache.SHAPE;
        DecisionCache.Key key = !cacheable || mode == ProxyConfig.DecisionCache.OFF
                ? null
                : shape != null
                        ? DecisionCache.withShape(shape, request, byShape)
                        : DecisionCache.key(shared, request, byShape);
        Decision cached = key == null ? null : s.gw.decisions().get(key);
        if (cached != null) {
            long requestSeq = s.recording.requestDecided(request, cached, true);
            afterRecorded(requestSeq, query, () -> then.run(cached, requestSeq));
            return;
        }
        s.busy = true;
        s.gw.policy().decide(shared.input(request)).onComplete(s.session.wrap(ar -> {
            s.busy = false;
            if (s.phase == PgSession.Phase.CLOSED) {
                return;
            }
            Decision d = ar.succeeded() ? ar.result() : Decision.failClosed("policy service unavailable");
            if (key != null) {
                // reviews, outages and decisions without a revision are not kept (DecisionCache.put)
                s.gw.decisions().put(key, d, s.gw.config().pg().decisionCacheTtl());
            } else if (d.revision() != null) {
                s.gw.decisions().observe(d.revision()); // a new revision still empties the cache
            }
            long requestSeq = s.recording.requestDecided(request, d, false);
            afterRecorded(requestSeq, query, () -> then.run(d, requestSeq));
            s.pump();
        }));
    }

    /** PostgreSQL's insufficient_resources: the proxy's event log cannot take the statement's record. */
    static final String SQLSTATE_UNRECORDED = "53000";

    /**
     * Runs {@code then} once the event at {@code requestSeq} (the request with its decision) is recorded: at once
     * when it is (or write-ahead is off), else later with the session busy meanwhile, so its next messages wait
     * (the client is held: back-pressure). Not recorded within the hold timeout: the statement is refused instead.
     */
    private void afterRecorded(long requestSeq, boolean query, Runnable then) {
        int[] state = {0}; // 0: await has not returned yet, 1: ran at once, 2: waiting (the callback comes later)
        WriteAhead.await(
                s.gw.vertx(), s.gw.events(), s.recording.recorder(), requestSeq, requestSeq, s.session.wrap(ok -> {
                    boolean async = state[0] == 2;
                    if (!async) {
                        state[0] = 1;
                    } else {
                        s.busy = false;
                        if (s.phase == PgSession.Phase.CLOSED) {
                            return;
                        }
                    }
                    if (ok) {
                        then.run();
                    } else {
                        raise(new Refusal(SQLSTATE_UNRECORDED, "Portcullis: " + WriteAhead.REFUSAL), requestSeq, query);
                    }
                    if (async) {
                        s.pump();
                    }
                }));
        if (state[0] == 0) {
            state[0] = 2;
            s.busy = true;
        }
    }

    /**
     * Holds the statement for review; {@code approved} runs once the approval's decision is recorded too. Refused
     * as PostgreSQL's insufficient_privilege when the review did not approve, and with
     * {@value #SQLSTATE_UNRECORDED} like every write-ahead refusal when the approval cannot be recorded.
     *
     * @param query true for a simple Query, false for the extended protocol (how a refusal ends)
     */
    void review(JsonObject request, Decision decision, long requestSeq, boolean query, Runnable approved) {
        s.busy = true;
        // the hold is registered before review.requested is published (ReviewRequests.open)
        ReviewRequests.Pending pending = ReviewRequests.open(
                s.gw.holds(),
                s.gw.events(),
                s.recording.recorder(),
                s.identity,
                s.connection.name(),
                s.recording.maskedRequest(request, decision.mask()),
                decision,
                requestSeq,
                s.gw.config().review().timeout());
        s.pendingReview = pending.reviewId();
        s.toClient.add(PgMessages.noticeResponse(
                "01000",
                "Portcullis: waiting for approval, review " + pending.reviewId()
                        + (decision.reasons().isEmpty() ? "" : " (" + String.join("; ", decision.reasons()) + ")")));
        s.flush();
        pending.outcome().onComplete(s.session.wrap(ar -> {
            s.pendingReview = null;
            s.busy = false;
            if (s.phase == PgSession.Phase.CLOSED) {
                return;
            }
            ReviewHolds.Outcome outcome = ar.succeeded() ? ar.result() : ReviewHolds.Outcome.EXPIRED;
            if (outcome == ReviewHolds.Outcome.APPROVED) {
                // write-ahead again: the approval's decision is recorded before the statement runs
                s.busy = true;
                WriteAhead.await(
                        s.gw.vertx(),
                        s.gw.events(),
                        s.recording.recorder(),
                        requestSeq,
                        s.recording.recorder().lastSeq(),
                        s.session.wrap(ok -> {
                            s.busy = false;
                            if (s.phase == PgSession.Phase.CLOSED) {
                                return;
                            }
                            if (ok) {
                                approved.run();
                            } else {
                                raise(
                                        new Refusal(SQLSTATE_UNRECORDED, "Portcullis: " + WriteAhead.REFUSAL),
                                        requestSeq,
                                        query);
                            }
                            s.pump();
                        }));
                return;
            }
            raise(
                    new Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, ReviewRequests.refusal(pending.reviewId(), outcome)),
                    requestSeq,
                    query);
            s.pump();
        }));
    }
}
