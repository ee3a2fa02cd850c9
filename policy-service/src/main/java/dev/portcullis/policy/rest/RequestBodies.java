package dev.portcullis.policy.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.policy.config.PolicyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Reads request bodies within the configured size and nesting limits (413 beyond them). */
@ApplicationScoped
public class RequestBodies {

    private final ObjectMapper mapper;
    private final int maxBytes;
    private final int maxDepth;

    @Inject
    public RequestBodies(PolicyConfig config) {
        this.maxBytes = config.limits().maxBodyBytes();
        this.maxDepth = config.limits().maxDepth();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .build())
                .build();
        this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** The largest body accepted ({@code portcullis.policy.limits.max-body-bytes}). */
    public int maxBytes() {
        return maxBytes;
    }

    public void checkSize(long length) {
        if (length > maxBytes) {
            throw OpaException.tooLarge("request body is " + length + " bytes, the limit is " + maxBytes);
        }
    }

    /** The JSON body as a tree; null when the body is empty. */
    public JsonNode json(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        checkSize(body.length);
        try {
            return mapper.readTree(body);
        } catch (StreamConstraintsException e) {
            throw OpaException.tooLarge("request body nests deeper than " + maxDepth + " levels");
        } catch (JsonProcessingException e) {
            throw OpaException.badRequest("body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw OpaException.badRequest("body could not be read");
        }
    }

    /** The {@code input} of a Data API body {@code {"input": …}}; null when the body is empty or has none. */
    public JsonNode input(byte[] body) {
        JsonNode doc = json(body);
        if (doc != null && !doc.isObject()) {
            throw OpaException.badRequest("body must be a JSON object like {\"input\": …}");
        }
        return doc == null ? null : doc.get("input");
    }

    /**
     * A text body (a policy document): null when empty. Refused with 400 when it is not UTF-8 or holds control
     * characters other than tab and line breaks: PostgreSQL refuses a NUL in the stored text, and no document
     * needs the others.
     */
    public String text(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        checkSize(body.length);
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw OpaException.badRequest("body is not UTF-8 text");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                throw OpaException.badRequest(
                        "body holds a control character (U+" + String.format("%04X", (int) c) + ") at offset " + i);
            }
        }
        return text;
    }

    public JsonNode json(String text) {
        return json(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
