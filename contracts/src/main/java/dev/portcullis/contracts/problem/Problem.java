package dev.portcullis.contracts.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An error of the identity-broker and recorder-service APIs, as RFC 9457 problem details
 * ({@code application/problem+json}); the console reads the same shape. A shape only: each service builds it in
 * its own exception mappers. The policy service answers in OPA's error shape instead (its API is OPA's), and
 * session-proxy's HTTP gateway in the Kubernetes {@code Status} shape kubectl expects.
 *
 * @param type {@code about:blank} unless a problem type of its own is documented
 * @param title the status code's reason phrase (with {@code about:blank}, RFC 9457 §4.2.1)
 * @param status the HTTP status code, repeated for clients that only see the body
 * @param detail what went wrong for this request, in words meant for the caller
 * @param instance the request path (as sent, percent-encoded) the problem occurred on
 * @param errors for a request that is not valid: one entry per offending field or parameter; absent otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** RFC 9457's default type: the problem means no more than its status code. */
    public static final String ABOUT_BLANK = "about:blank";

    /**
     * One reason a request is not valid.
     *
     * @param field a query or path parameter's name, or a body field's path ({@code auth.method}); {@code body}
     *     for the body as a whole
     * @param message what the value must be (never the rejected value itself)
     */
    public record FieldError(String field, String message) {}
}
