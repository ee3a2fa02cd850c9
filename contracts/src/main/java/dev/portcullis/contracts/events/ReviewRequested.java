package dev.portcullis.contracts.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code data} of {@code review.requested} (review-requests, session-proxy → identity-broker): a request held for
 * a human. The Kafka key and the event's subject are the review id.
 *
 * @param reviewId the review; a reader may fall back to the event id when it is absent
 * @param subject the agent's token subject
 * @param request the request as recorded (masked), in the protocol's own shape
 * @param reasons why policy asked for a review
 * @param rules the policy rules that asked for it
 * @param requestSeq seq of the held {@code session.request} in its session
 * @param expiresAt when the proxy stops waiting (RFC 3339); the broker never waits longer than its own limit
 * @param history the session so far: its most recent requests before the held one, oldest first, at most {@value
 *     #MAX_HISTORY}; absent from events written before it existed, and when the proxy keeps none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReviewRequested(
        @JsonProperty("review_id") String reviewId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("agent") String agent,
        @JsonProperty("subject") String subject,
        @JsonProperty("connection") String connection,
        @JsonProperty("request") Map<String, Object> request,
        @JsonProperty("reasons") List<String> reasons,
        @JsonProperty("rules") List<String> rules,
        @JsonProperty(SessionEventFields.REQUEST_SEQ) Long requestSeq,
        @JsonProperty("expires_at") String expiresAt,
        @JsonProperty("history") List<HistoryEntry> history) {

    /** At most this many {@link #history} entries. */
    public static final int MAX_HISTORY = 20;

    /** At most this many characters ({@link String#length()}) in a history entry's {@code request}. */
    public static final int MAX_HISTORY_REQUEST = 2_000;

    /** What ends a history entry's request text that was cut to {@link #MAX_HISTORY_REQUEST}. */
    public static final String TRUNCATED = "… (truncated)";

    /**
     * One earlier request of the held request's session, as its recording has it.
     *
     * @param seq the seq of its {@code session.request}
     * @param request its text as recorded (masked): the SQL, the command, the HTTP method and path; cut with {@link
     *     #TRUNCATED} beyond {@link #MAX_HISTORY_REQUEST} characters ({@link #clip})
     * @param action the decision taken on it ({@code allow}, {@code deny}, {@code review}; after a review its
     *     outcome); absent when it had none of its own (a line typed in a shell, a request the proxy refused before
     *     asking policy)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HistoryEntry(
            @JsonProperty("seq") Long seq,
            @JsonProperty("request") String request,
            @JsonProperty("action") String action) {

        /**
         * {@code text} as a history entry carries it: unchanged up to {@link #MAX_HISTORY_REQUEST} characters, else
         * its start and {@link #TRUNCATED}, {@link #MAX_HISTORY_REQUEST} characters in all (a surrogate pair is not
         * split).
         */
        public static String clip(String text) {
            if (text.length() <= MAX_HISTORY_REQUEST) {
                return text;
            }
            int keep = MAX_HISTORY_REQUEST - TRUNCATED.length();
            if (Character.isHighSurrogate(text.charAt(keep - 1))) {
                keep--;
            }
            return text.substring(0, keep) + TRUNCATED;
        }
    }

    /** One line per problem; empty when a broker can open a review from it. */
    public List<String> validate() {
        List<String> p = new ArrayList<>();
        Validation.required(p, "agent", agent);
        Validation.required(p, "connection", connection);
        if (requestSeq != null && requestSeq < 0) {
            p.add(SessionEventFields.REQUEST_SEQ + ": " + requestSeq + " is negative");
        }
        Validation.timestamp(p, "expires_at", expiresAt, false);
        if (history != null) {
            validateHistory(p);
        }
        return p;
    }

    private void validateHistory(List<String> p) {
        if (history.size() > MAX_HISTORY) {
            p.add("history: " + history.size() + " entries, at most " + MAX_HISTORY);
        }
        long before = -1;
        for (int i = 0; i < history.size(); i++) {
            String at = "history[" + i + "]";
            HistoryEntry e = history.get(i);
            if (e == null) {
                p.add(at + ": missing");
                continue;
            }
            if (e.seq() == null) {
                p.add(at + ".seq: missing");
            } else if (e.seq() < 0) {
                p.add(at + ".seq: " + e.seq() + " is negative");
            } else if (e.seq() <= before) {
                p.add(at + ".seq: " + e.seq() + " is not after the entry before it (oldest first)");
            } else if (requestSeq != null && e.seq() >= requestSeq) {
                p.add(at + ".seq: " + e.seq() + " is not before the held request's " + requestSeq);
            }
            if (e.seq() != null) {
                before = Math.max(before, e.seq());
            }
            if (e.request() == null) {
                p.add(at + ".request: missing");
            } else if (e.request().length() > MAX_HISTORY_REQUEST) {
                p.add(at + ".request: " + e.request().length() + " characters, at most " + MAX_HISTORY_REQUEST);
            }
        }
    }
}
