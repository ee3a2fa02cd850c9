package dev.portcullis.broker.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.broker.api.PlainText;
import dev.portcullis.broker.api.ProblemException;

/**
 * The optional body of an approve/deny call: {@code {"comment": "..."}}, or nothing at all (so
 * {@code curl -X POST} works without a content type).
 */
public final class DecisionBody {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_COMMENT = 2000;

    private DecisionBody() {}

    /** The comment, or null; a body that is not a JSON object, or an overlong comment, is a 400. */
    public static String comment(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw ProblemException.invalid("body", "must be a JSON object like {\"comment\": \"...\"}");
        }
        if (node == null || !node.isObject()) {
            throw ProblemException.invalid("body", "must be a JSON object like {\"comment\": \"...\"}");
        }
        JsonNode c = node.get("comment");
        if (c == null || c.isNull()) {
            return null;
        }
        if (!c.isTextual() || c.asText().length() > MAX_COMMENT) {
            throw ProblemException.invalid("comment", "must be a string of at most " + MAX_COMMENT + " characters");
        }
        if (!PlainText.Validator.isPlain(c.asText(), true)) {
            throw ProblemException.invalid("comment", "must not contain control characters other than line breaks");
        }
        return c.asText();
    }
}
