package dev.portcullis.console.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** An answer a browser shows as it is: plain text, never markup. */
final class PlainText {

    private PlainText() {}

    static Response of(Response.Status status, String message) {
        return of(status.getStatusCode(), message);
    }

    static Response of(int status, String message) {
        return Response.status(status)
                .type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8"))
                .entity(message + "\n")
                .build();
    }
}
