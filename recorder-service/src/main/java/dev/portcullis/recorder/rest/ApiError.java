package dev.portcullis.recorder.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** A JSON error response: {@code {"error": "..."}}. */
public final class ApiError extends WebApplicationException {

    public ApiError(Response.Status status, String message) {
        super(
                message,
                Response.status(status)
                        .type(MediaType.APPLICATION_JSON)
                        .entity(Map.of("error", message))
                        .build());
    }

    public ApiError(int status, String message) {
        super(
                message,
                Response.status(status)
                        .type(MediaType.APPLICATION_JSON)
                        .entity(Map.of("error", message))
                        .build());
    }

    private ApiError(String message, Response response) {
        super(message, response);
    }

    /** 416 with {@code Content-Range: bytes *}{@code /size} (RFC 9110 §15.5.17). */
    public static ApiError rangeNotSatisfiable(long size) {
        String message = "range not satisfiable (size " + size + ")";
        return new ApiError(
                message,
                Response.status(Response.Status.REQUESTED_RANGE_NOT_SATISFIABLE)
                        .type(MediaType.APPLICATION_JSON)
                        .header("Content-Range", "bytes */" + size)
                        .entity(Map.of("error", message))
                        .build());
    }
}
