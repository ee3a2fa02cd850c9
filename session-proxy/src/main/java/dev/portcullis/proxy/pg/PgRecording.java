package dev.portcullis.proxy.pg;

import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.SessionEventFields;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.enforcement.RecordedRequests;
import dev.portcullis.proxy.events.SessionData;
import dev.portcullis.proxy.events.SessionRecorder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a PostgreSQL session records (docs/architecture.md "Session events"), through the shared
 * {@link SessionRecorder}: requests with their literal values and parameters through every detector, decisions and
 * outputs. Nothing is recorded before login (no recorder yet).
 */
final class PgRecording {

    /** The recorded-request detectors alone, planned once (a Bind records through them per statement). */
    private static final Masker.ColumnPlan DETECTORS_ONLY = Masker.plan(RecordedRequests.DETECTORS, null);

    private final Masker masker;
    private SessionRecorder recorder;
    /**
     * The last text recorded through {@link #DETECTORS_ONLY} and what they made of it: a prepared statement's Binds
     * record the same text (the same instance) each time. Masking is a function of the plan and the text.
     */
    private String lastText;

    private String lastMaskedText;

    PgRecording(Masker masker) {
        this.masker = masker;
    }

    /** From login on. */
    void start(SessionRecorder recorder) {
        this.recorder = recorder;
    }

    SessionRecorder recorder() {
        return recorder;
    }

    /** The event's sequence number, -1 when nothing is recorded yet. */
    long emit(String type, JsonObject data) {
        return recorder == null ? -1 : recorder.emit(type, data);
    }

    /** Records a request without a decision (the proxy refused it before asking policy). */
    long request(JsonObject request) {
        return emit(EventTypes.SESSION_REQUEST, maskedRequest(request, List.of()));
    }

    /**
     * Records a request together with the decision taken on it, in one v2 {@code session.request} (contracts'
     * {@link SessionEventFields#DECISION}): one event, one journal line and one Kafka record per statement instead
     * of two, written once the decision is known and before the statement is forwarded (write-ahead).
     */
    long requestDecided(JsonObject request, Decision d, boolean cached) {
        return emit(
                EventTypes.SESSION_REQUEST,
                maskedRequest(request, List.of())
                        .put(
                                SessionEventFields.DECISION,
                                SessionData.embeddedDecision(
                                        d.action().wire(), d.reasons(), d.rules(), d.decisionId(), cached)));
    }

    /**
     * The request as recorded: its text and parameters through every detector, and per statement what it is
     * ({@code type}, {@code tables}, {@code read_only}) with its own text only where that is not the request's
     * (the text an EXECUTE, FETCH, PREPARE or DECLARE is decided on, a statement of several; {@link #sameText}). The rest of the
     * analysis is policy input, kept in the decision log; recording it per statement cost more than the statement.
     */
    JsonObject maskedRequest(JsonObject request, List<MaskRule> masks) {
        Masker.ColumnPlan plan;
        if (masks.isEmpty()) {
            plan = DETECTORS_ONLY;
        } else {
            List<MaskRule> all = new ArrayList<>();
            for (MaskRule m : masks) {
                if (m.detector() != null) {
                    all.add(m);
                }
            }
            all.addAll(RecordedRequests.DETECTORS);
            plan = Masker.plan(all, null);
        }
        String text = request.getString("text", "");
        String maskedText;
        if (plan == DETECTORS_ONLY && text == lastText) {
            maskedText = lastMaskedText;
        } else {
            maskedText = masker.apply(plan, text);
            if (plan == DETECTORS_ONLY) {
                lastText = text;
                lastMaskedText = maskedText;
            }
        }
        JsonObject r = new JsonObject()
                .put("protocol", request.getValue("protocol"))
                .put("kind", request.getValue("kind"))
                .put("text", maskedText);
        JsonArray stmts = request.getJsonArray("statements");
        if (stmts != null) {
            JsonArray recorded = new JsonArray(new ArrayList<>(stmts.size()));
            for (int i = 0; i < stmts.size(); i++) {
                JsonObject st = stmts.getJsonObject(i);
                JsonObject one = new JsonObject()
                        .put("type", st.getValue("type"))
                        .put("tables", st.getValue("tables"))
                        .put("read_only", st.getValue("read_only"));
                String own = st.getString("text", "");
                if (!sameText(own, text)) {
                    one.put("text", masker.apply(plan, own));
                }
                recorded.add(one);
            }
            r.put("statements", recorded);
        }
        JsonArray params = request.getJsonArray("parameters");
        if (params != null) {
            JsonArray masked = new JsonArray(new ArrayList<>(params.size()));
            for (Object p : params) {
                masked.add(p == null ? null : masker.apply(plan, p.toString()));
            }
            r.put("parameters", masked);
        }
        return r;
    }

    /**
     * Whether a statement's own text is the request's: the same, or the request's but for the one {@code ;} that
     * ended it ({@code pgbench -M simple}, psql's {@code -c "…;"}: the statement is cut before its terminator, and
     * recording it again would double the text and its detector pass for nothing an auditor can learn).
     */
    static boolean sameText(String own, String text) {
        return own.equals(text)
                || (text.length() == own.length() + 1 && text.charAt(own.length()) == ';' && text.startsWith(own));
    }

    void output(long requestSeq, String tag, long rows, boolean denied) {
        emit(
                EventTypes.SESSION_OUTPUT,
                SessionData.answering(requestSeq)
                        .put("command_tag", tag)
                        .put("rows", rows)
                        .put("denied", denied));
    }
}
