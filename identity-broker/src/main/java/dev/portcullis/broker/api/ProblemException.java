package dev.portcullis.broker.api;

import dev.portcullis.contracts.problem.Problem;
import dev.portcullis.restedge.HttpProblemException;
import java.util.List;

/**
 * An error the API reports as problem details with the given status, rendered by rest-edge's exception mappers
 * with the request's path as {@code instance}.
 */
public class ProblemException extends HttpProblemException {

    private final String title;

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, null);
    }

    public ProblemException(int status, String title, String detail, List<Problem.FieldError> errors) {
        super(status, detail, errors);
        this.title = title;
    }

    public String title() {
        return title;
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "Not Found", detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "Forbidden", detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "Conflict", detail);
    }

    public static ProblemException unprocessable(String detail) {
        return new ProblemException(422, "Unprocessable Entity", detail);
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail);
    }

    /** A request that is not valid because of one field or parameter. */
    public static ProblemException invalid(String field, String message) {
        return new ProblemException(
                400, "Bad Request", field + " " + message, List.of(new Problem.FieldError(field, message)));
    }
}
