package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.codec.PgProtocol.*;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.pg.codec.PgBackendMessages;
import dev.portcullis.proxy.pg.codec.PgBackendMessages.RowDescription;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages.Bind;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.codec.PgProtocolException;
import dev.portcullis.proxy.pg.masking.CopyGuard;
import dev.portcullis.proxy.pg.masking.ResultMaskPlanner;
import dev.portcullis.proxy.pg.masking.ResultPlan;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reply queue of a session: one {@link Expect} per message sent to the backend, in order, which pairs each
 * backend reply with the client message that caused it (what lets pipelined extended-protocol traffic, denials and
 * masking stay in step), and the handling of the backend's messages in READY. Runs on the session's event loop.
 */
final class PgReplyQueue {

    enum Kind {
        QUERY,
        PARSE,
        BIND,
        DESCRIBE_STATEMENT,
        DESCRIBE_PORTAL,
        EXECUTE,
        CLOSE,
        SYNC,
        SYNTHETIC
    }
    /** One backend reply (or run of replies) the proxy is waiting for, in order. */
    static final class Expect {
        final Kind kind;
        String name;
        boolean swallow;
        boolean deny;
        /** A Describe of a converted Query statement: RowDescription goes to the client, NoData does not. */
        boolean converted;

        List<MaskRule> masks = List.of();
        /** The statement's analysis: masking's lineage, and what its completion may have changed. */
        StatementInfo info;

        StatementBook.Portal portal;
        /** The result's masking, planned at its first DataRow from the portal's RowDescription. */
        ResultPlan plan;
        /** A COPY … TO whose rows go through the decision's detectors (CopyGuard: MASK_DETECTORS). */
        boolean copyDetectors;

        Buffer synthetic;
        /** A synthetic reply that ends with ReadyForQuery (the status as of when it is sent). */
        boolean ready;

        long rows;
        long requestSeq = -1;
        /** Characters before the statement in the client's Query: added to an error's position. */
        int positionShift;
        /** Sync number (SYNC only). */
        long syncNo;
        /** The model changes this message made, taken back if the backend fails or skips it. */
        List<StatementBook.Undo> undo = List.of();
        /** Runs when the message completed (CommandComplete, CloseComplete). */
        Runnable done;

        Expect(Kind kind) {
            this.kind = kind;
        }

        void undo(StatementBook.Undo u) {
            if (undo.isEmpty()) {
                undo = new ArrayList<>(2);
            }
            undo.add(u);
        }
    }

    final ArrayDeque<Expect> expects = new ArrayDeque<>();
    /** Syncs sent to the backend, the proxy's own included. */
    long syncsSent;
    /** The Sync of a converted COPY, held back while the backend may be in copy-in (it ignores Sync there). */
    Buffer copySync;

    boolean copyIn;
    /** The masks of every statement run in the current transaction: for errors and notices of none. */
    private final java.util.Set<MaskRule> txMasks = new java.util.LinkedHashSet<>();

    private final PgSession s;

    PgReplyQueue(PgSession session) {
        this.s = session;
    }

    Expect sync() {
        Expect e = new Expect(Kind.SYNC);
        e.syncNo = ++syncsSent;
        return e;
    }

    void forward(Buffer frame, Expect e) {
        s.toBackend.add(frame);
        expects.add(e);
        if (e.kind == Kind.EXECUTE && !e.masks.isEmpty()) {
            txMasks.addAll(e.masks);
        }
    }

    void enqueueSynthetic(Expect e) {
        expects.add(e);
        drainSynthetic();
    }

    void drainSynthetic() {
        Expect head;
        while ((head = expects.peek()) != null && head.kind == Kind.SYNTHETIC) {
            expects.poll();
            s.toClient.add(head.synthetic);
            if (head.ready) {
                s.toClient.add(PgMessages.readyForQuery(s.txStatus));
            }
        }
    }

    void releaseCopySync() {
        s.toBackend.add(copySync);
        copySync = null;
        copyIn = false;
    }

    void onBackendMessage(byte type, Buffer frame) {
        if (copySync != null) {
            if (type == COPY_IN_RESPONSE) {
                copyIn = true;
            } else if (type == ERROR_RESPONSE
                    || type == COPY_OUT_RESPONSE
                    || type == COMMAND_COMPLETE
                    || type == COPY_BOTH_RESPONSE) {
                releaseCopySync(); // not in copy-in (any more): the held Sync may go
                s.pumpAfterBackend = true;
            }
        }
        switch (type) {
            case DATA_ROW -> {
                if (!onDataRow(frame)) {
                    return;
                }
            }
            case COMMAND_COMPLETE, EMPTY_QUERY_RESPONSE -> onCompletion(type, frame);
            case READY_FOR_QUERY -> onReadyForQuery(frame);
            case ROW_DESCRIPTION -> onRowDescription(frame);
            case PARSE_COMPLETE, BIND_COMPLETE, NO_DATA -> onParseBindOrNoData(frame);
            case CLOSE_COMPLETE -> onCloseComplete(frame);
            case PORTAL_SUSPENDED -> {
                expects.poll();
                s.toClient.add(frame);
            }
            case ERROR_RESPONSE -> onError(frame);
            case PARAMETER_STATUS -> {
                s.onParameterStatus(frame);
                s.toClient.add(frame);
            }
            case BACKEND_KEY_DATA, AUTHENTICATION ->
                throw new PgProtocolException("unexpected backend message '" + (char) type + "' after startup");
            case NOTICE_RESPONSE -> s.toClient.add(maskMessage(frame, expects.peek()));
            case COPY_OUT_RESPONSE -> {
                if (!onCopyOut(frame)) {
                    return;
                }
            }
            case COPY_DATA -> {
                Expect head = expects.peek();
                s.toClient.add(head != null && head.copyDetectors ? s.masking.maskCopyData(frame, head.masks) : frame);
            }
            default -> s.toClient.add(frame); // ParameterDescription, notifications, COPY in and done
        }
        drainSynthetic();
    }

    /** A row, masked by the head's plan when it has masks. False: the session ended (no plan possible). */
    private boolean onDataRow(Buffer frame) {
        Expect head = expects.peek();
        Buffer out = frame;
        if (head != null) {
            head.rows++;
            if (!head.masks.isEmpty()) {
                out = mask(head, frame);
                if (out == null) {
                    return false;
                }
            }
        }
        s.toClient.add(out);
        return true;
    }

    /** CommandComplete or EmptyQueryResponse: an Execute ended; its output is recorded, its namespace change kept. */
    private void onCompletion(byte type, Buffer frame) {
        Expect head = expects.peek();
        if (head != null && head.kind == Kind.EXECUTE) {
            expects.poll();
            if (type == COMMAND_COMPLETE && head.requestSeq >= 0) {
                s.recording.output(head.requestSeq, PgBackendMessages.commandTag(frame), head.rows, head.deny);
            }
            if (type == COMMAND_COMPLETE) {
                s.masking.completed(head.info);
            }
            if (head.done != null) {
                head.done.run();
            }
        }
        s.toClient.add(frame);
    }

    /** ReadyForQuery ends everything up to its Sync (replies an error made the backend skip never come). */
    private void onReadyForQuery(Buffer frame) {
        Expect head;
        while ((head = expects.poll()) != null && head.kind != Kind.SYNC) {
            // replies that never came because of an error before Sync
        }
        s.txStatus = frame.getByte(5);
        if (head != null && s.txStatus == TX_IDLE) {
            s.book.transactionEnded(head.syncNo);
        }
        s.masking.readyForQuery(s.txStatus);
        if (s.txStatus == TX_IDLE && expects.isEmpty()) {
            txMasks.clear();
        }
        s.toClient.add(frame);
    }

    /** A RowDescription: kept on the statement or portal described (masking plans from it), kept from the client when the proxy asked. */
    private void onRowDescription(Buffer frame) {
        Expect head = expects.peek();
        boolean forward = true;
        if (head != null) {
            switch (head.kind) {
                case DESCRIBE_STATEMENT -> {
                    StatementBook.Prepared p = s.book.statement(head.name);
                    if (p != null) {
                        p.description = RowDescription.decode(frame);
                    }
                    expects.poll();
                    forward = !head.swallow;
                }
                case DESCRIBE_PORTAL -> {
                    // the result mask planner reads the columns here, before any DataRow
                    if (head.portal != null) {
                        head.portal.description = RowDescription.decode(frame);
                    }
                    expects.poll();
                    forward = !head.swallow;
                }
                default -> {}
            }
        }
        if (forward) {
            s.toClient.add(frame);
        }
    }

    /** ParseComplete, BindComplete, NoData: kept from the client for the proxy's own messages and converted Describes. */
    private void onParseBindOrNoData(Buffer frame) {
        Expect head = expects.poll();
        if (head == null || !(head.swallow || head.converted)) {
            s.toClient.add(frame);
        }
    }

    private void onCloseComplete(Buffer frame) {
        Expect head = expects.poll();
        if (head != null && head.done != null) {
            head.done.run();
        }
        s.toClient.add(frame);
    }

    /** CopyOutResponse: a COPY the guard did not pass as text ends the session, its rows cannot be masked. */
    private boolean onCopyOut(Buffer frame) {
        Expect head = expects.peek();
        if (head != null && !head.masks.isEmpty() && (!head.copyDetectors || CopyGuard.isBinary(frame))) {
            // a COPY the guard did not pass as text: its rows cannot be masked
            s.fatal(CopyGuard.SQLSTATE, head.copyDetectors ? CopyGuard.BINARY_REFUSED : CopyGuard.REFUSED);
            return false;
        }
        s.toClient.add(frame);
        return true;
    }

    /**
     * The message at the head failed; the backend skips everything else up to Sync. Their model
     * changes are taken back, latest first, and the error goes to the client with its position
     * moved to where the statement starts in the client's Query.
     */
    void onError(Buffer frame) {
        Expect failed = expects.peek();
        if (failed == null || failed.kind == Kind.SYNC) {
            // an error at commit (Sync), or one no message of the client's caused: masked as the transaction's
            s.toClient.add(maskMessage(frame, null));
            return;
        }
        expects.poll();
        List<Expect> skipped = new ArrayList<>();
        Expect next;
        while ((next = expects.peek()) != null && next.kind != Kind.SYNC) {
            skipped.add(expects.poll());
        }
        PgBackendMessages.Fields fields = PgBackendMessages.Fields.decode(frame);
        for (int i = skipped.size() - 1; i >= 0; i--) {
            for (StatementBook.Undo u : skipped.get(i).undo) {
                u.skipped();
            }
        }
        for (int i = failed.undo.size() - 1; i >= 0; i--) {
            failed.undo.get(i).failed(fields.sqlstate());
        }
        if (failed.deny) {
            // the raise comes from the proxy's DO block: drop PL/pgSQL context, file and line
            s.toClient.add(fields.encode(ERROR_RESPONSE, "WFLRPpq"));
            return;
        }
        // masked before the position shift: the masker re-encodes the fields it is given
        Buffer masked = maskMessage(frame, failed);
        if (failed.positionShift > 0 && fields.values().containsKey('P')) {
            s.toClient.add(shiftPosition(PgBackendMessages.Fields.decode(masked), failed.positionShift));
        } else {
            s.toClient.add(masked);
        }
    }

    /**
     * An ErrorResponse or NoticeResponse while {@code e} is the message at the head: masked with its decision's
     * masks; a message of no statement with masks of its own (a deferred constraint at commit, a notice of a
     * transaction command) with the masks of every statement of the transaction, its lineage unknown.
     */
    Buffer maskMessage(Buffer frame, Expect e) {
        if (e != null && !e.masks.isEmpty()) {
            return s.masking.maskMessage(frame, e.masks, e.info, e.kind == Kind.PARSE);
        }
        if (!txMasks.isEmpty()) {
            return s.masking.maskMessage(frame, List.copyOf(txMasks), e == null ? null : e.info, false);
        }
        return frame;
    }

    /** PostgreSQL counts the position (P) in characters from 1 within the statement it parsed. */
    static Buffer shiftPosition(PgBackendMessages.Fields fields, int shift) {
        Map<Character, String> values = new LinkedHashMap<>(fields.values());
        try {
            values.put('P', String.valueOf(Integer.parseInt(values.get('P')) + shift));
        } catch (NumberFormatException e) {
            values.remove('P');
        }
        return new PgBackendMessages.Fields(values).encode(ERROR_RESPONSE, "");
    }

    /**
     * A DataRow of a result with masks: planned once from the portal's RowDescription, the Bind's result formats,
     * the statement's lineage and the catalog (masking follows the source of the data, not the output name).
     */
    Buffer mask(Expect e, Buffer frame) {
        if (e.plan == null) {
            RowDescription desc = null;
            Bind bind = null;
            if (e.portal != null) {
                bind = e.portal.bind;
                desc = e.portal.description != null || e.portal.statement == null
                        ? e.portal.description
                        : e.portal.statement.description;
            }
            if (desc == null) {
                s.fatal(SQLSTATE_FEATURE_NOT_SUPPORTED, "masked result without a row description");
                return null;
            }
            Bind b = bind;
            e.plan = s.masking.plan(e.masks, desc.fields(), b == null ? null : b::resultFormat, e.info);
            if (e.plan.refusal() != null) {
                s.fatal(ResultMaskPlanner.BINARY_REFUSED_SQLSTATE, e.plan.refusal());
                return null;
            }
        }
        return s.masking.maskRow(e.plan, frame);
    }
}
