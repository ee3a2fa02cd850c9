package dev.portcullis.restedge;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.portcullis.contracts.problem.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Builds the problem details (RFC 9457) every error of the broker's and the recorder's APIs leaves as, in Quarkus
 * REST and in Vert.x routes alike (each service's README, "Errors").
 */
public final class Problems {

    private Problems() {}

    public static Problem of(int status, String detail, String instance) {
        return of(status, detail, instance, null);
    }

    public static Problem of(int status, String detail, String instance, List<Problem.FieldError> errors) {
        return new Problem(
                Problem.ABOUT_BLANK,
                title(status),
                status,
                detail,
                instance,
                errors == null || errors.isEmpty() ? null : errors);
    }

    /** The reason phrase of a status (RFC 9110), which RFC 9457 asks for as the title of {@code about:blank}. */
    public static String title(int status) {
        return switch (status) {
            case 413 -> "Content Too Large";
            case 416 -> "Range Not Satisfiable";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            default -> {
                Response.Status s = Response.Status.fromStatusCode(status);
                yield s != null ? s.getReasonPhrase() : status >= 500 ? "Server Error" : "Client Error";
            }
        };
    }

    /** For a Quarkus REST exception mapper. */
    public static Response response(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }

    /** For a Vert.x route: ends the response with the problem (its status and media type). */
    public static void end(HttpServerResponse response, Problem p) {
        JsonObject json = new JsonObject()
                .put("type", p.type())
                .put("title", p.title())
                .put("status", p.status())
                .put("detail", p.detail())
                .put("instance", p.instance());
        if (p.errors() != null) {
            JsonArray errors = new JsonArray();
            p.errors()
                    .forEach(e ->
                            errors.add(new JsonObject().put("field", e.field()).put("message", e.message())));
            json.put("errors", errors);
        }
        response.setStatusCode(p.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .end(json.encode());
    }

    /**
     * A body Jackson could not read, said without echoing the body back: the field (its path in the document) and
     * what it must be.
     */
    public static List<Problem.FieldError> bodyErrors(JacksonException e) {
        if (e instanceof StreamConstraintsException) {
            return List.of(new Problem.FieldError("body", "exceeds the size or nesting limits of a JSON document"));
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."))
                    .replace(".[", "[");
            Class<?> type = e instanceof MismatchedInputException mi ? mi.getTargetType() : null;
            return List.of(new Problem.FieldError(field, type == null ? "has the wrong type" : "must be " + a(type)));
        }
        if (e instanceof MismatchedInputException mi && mi.getTargetType() != null) {
            return List.of(new Problem.FieldError("body", "must be " + a(mi.getTargetType())));
        }
        return List.of(new Problem.FieldError("body", "must be a valid JSON document"));
    }

    private static String a(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == Duration.class) {
            return "an ISO-8601 duration such as PT30M";
        }
        if (type == OffsetDateTime.class) {
            return "an ISO-8601 date-time with offset such as 2026-11-22T03:12:00Z";
        }
        if (type.isEnum()) {
            return "one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(c -> c.toString().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", "));
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        return "a JSON object";
    }
}
