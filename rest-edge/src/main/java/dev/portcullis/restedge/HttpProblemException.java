package dev.portcullis.restedge;

import dev.portcullis.contracts.problem.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * An error the API reports as problem details (RFC 9457) with the given status: {@link ProblemMappers} renders it
 * with the request's path as {@code instance}, and with the headers its response carries. A
 * {@link WebApplicationException} without an entity, so that a parameter converter may throw it too (JAX-RS passes
 * it on unchanged). Each service's own error type extends it.
 */
public class HttpProblemException extends WebApplicationException {

    private final List<Problem.FieldError> errors;

    public HttpProblemException(int status, String detail) {
        this(status, detail, null);
    }

    public HttpProblemException(int status, String detail, List<Problem.FieldError> errors) {
        super(detail, status);
        this.errors = errors;
    }

    /** With headers of its own ({@code Content-Range} of a 416, say), which the answer keeps. */
    protected HttpProblemException(String detail, Response response) {
        super(detail, response);
        this.errors = null;
    }

    public int status() {
        return getResponse().getStatus();
    }

    /** The offending fields or parameters, or null. */
    public List<Problem.FieldError> errors() {
        return errors;
    }
}
