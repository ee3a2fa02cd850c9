package dev.portcullis.recorder.api;

import dev.portcullis.contracts.problem.Problem;
import dev.portcullis.restedge.HttpProblemException;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * An error the API reports as problem details (RFC 9457) with the given status: rest-edge's exception mappers and
 * {@code rest.RecordingDownloadRoute} render it with the request's path as {@code instance}. In {@code api}
 * because the download service throws it too.
 */
public final class ApiError extends HttpProblemException {

    public ApiError(Response.Status status, String message) {
        this(status.getStatusCode(), message, null);
    }

    public ApiError(int status, String message) {
        this(status, message, null);
    }

    public ApiError(int status, String message, List<Problem.FieldError> errors) {
        super(status, message, errors);
    }

    private ApiError(String message, Response response) {
        super(message, response);
    }

    /** 400 for one query parameter (or body field) that is not valid. */
    public static ApiError invalid(String field, String mustBe) {
        return new ApiError(400, field + " " + mustBe, List.of(new Problem.FieldError(field, mustBe)));
    }

    /** 416 with {@code Content-Range: bytes *}{@code /size} (RFC 9110 §15.5.17). */
    public static ApiError rangeNotSatisfiable(long size) {
        return new ApiError(
                "range not satisfiable (size " + size + ")",
                Response.status(Response.Status.REQUESTED_RANGE_NOT_SATISFIABLE)
                        .header("Content-Range", "bytes */" + size)
                        .build());
    }
}
