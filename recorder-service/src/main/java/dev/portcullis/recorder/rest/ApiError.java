package dev.portcullis.recorder.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** A JSON error response: {@code {"error": "..."}}. */
public final class ApiError extends WebApplicationException {

    public ApiError(Response.Status status, String message) {
        super(message, Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build());
    }

    public ApiError(int status, String message) {
        super(message, Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build());
    }
}
