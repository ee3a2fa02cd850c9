package dev.portcullis.recorder.rest;

import dev.portcullis.contracts.problem.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * Builds the problem details (RFC 9457) every error of this API leaves as, in Quarkus REST and in the Vert.x
 * routes alike (README, "Errors").
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
}
