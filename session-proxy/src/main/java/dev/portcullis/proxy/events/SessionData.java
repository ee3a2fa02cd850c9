package dev.portcullis.proxy.events;

import dev.portcullis.contracts.events.SessionEventFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The data of session events that refer to another event of their session, in one place for every protocol
 * (field names from contracts' {@link SessionEventFields}).
 */
public final class SessionData {

    private SessionData() {}

    /** Data of a {@code session.output} or {@code session.decision} about the request at {@code requestSeq}. */
    public static JsonObject answering(long requestSeq) {
        return new JsonObject().put(SessionEventFields.REQUEST_SEQ, requestSeq);
    }

    /**
     * {@code session.decision} as policy decided.
     *
     * @param cached true when the decision came from the session's decision cache
     */
    public static JsonObject decision(
            long requestSeq,
            String action,
            List<String> reasons,
            List<String> rules,
            String decisionId,
            boolean cached) {
        return answering(requestSeq)
                .put(SessionEventFields.ACTION, action)
                .put("reasons", new JsonArray(reasons))
                .put("rules", new JsonArray(rules))
                .put("decision_id", decisionId)
                .put("cached", cached);
    }

    /**
     * The decision a v2 {@code session.request} carries ({@link SessionEventFields#DECISION}): the fields of
     * {@link #decision} without {@code request_seq}, which is the request's own seq.
     */
    public static JsonObject embeddedDecision(
            String action, List<String> reasons, List<String> rules, String decisionId, boolean cached) {
        return new JsonObject()
                .put(SessionEventFields.ACTION, action)
                .put("reasons", new JsonArray(reasons))
                .put("rules", new JsonArray(rules))
                .put("decision_id", decisionId)
                .put("cached", cached);
    }

    /**
     * {@code session.decision} of a held request: {@code review}/{@code waiting} when it is held, then
     * {@code allow} or {@code deny} with the review's outcome.
     */
    public static JsonObject review(long requestSeq, String action, String reviewId, String state) {
        return answering(requestSeq)
                .put(SessionEventFields.ACTION, action)
                .put(SessionEventFields.REVIEW_ID, reviewId)
                .put(SessionEventFields.STATE, state);
    }
}
