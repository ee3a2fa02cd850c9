package dev.portcullis.proxy.pg;

import dev.portcullis.contracts.events.EventTypes;
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

    private final Masker masker;
    private SessionRecorder recorder;

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

    long request(JsonObject request, List<MaskRule> masks) {
        return emit(EventTypes.SESSION_REQUEST, maskedRequest(request, masks));
    }

    /** The request as recorded: literal values and parameters pass through every detector. */
    JsonObject maskedRequest(JsonObject request, List<MaskRule> masks) {
        List<MaskRule> all = new ArrayList<>(masks);
        all.addAll(RecordedRequests.DETECTORS);
        JsonObject r = request.copy();
        r.put("text", masker.applyDetectors(all, request.getString("text", "")));
        JsonArray stmts = r.getJsonArray("statements");
        if (stmts != null) {
            for (int i = 0; i < stmts.size(); i++) {
                JsonObject s = stmts.getJsonObject(i);
                s.put("text", masker.applyDetectors(all, s.getString("text", "")));
            }
        }
        JsonArray params = r.getJsonArray("parameters");
        if (params != null) {
            JsonArray masked = new JsonArray();
            for (Object p : params) {
                masked.add(p == null ? null : masker.applyDetectors(all, p.toString()));
            }
            r.put("parameters", masked);
        }
        return r;
    }

    /** The decision's seq (-1: nothing recorded yet). */
    long decision(Decision d, long requestSeq, boolean cached) {
        return emit(
                EventTypes.SESSION_DECISION,
                SessionData.decision(requestSeq, d.action().wire(), d.reasons(), d.rules(), d.decisionId(), cached));
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
