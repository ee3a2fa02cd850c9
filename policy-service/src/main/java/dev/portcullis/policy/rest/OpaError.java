package dev.portcullis.policy.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * OPA's error body: {@code {"code": "invalid_parameter", "message": "…", "errors": [ … ]}}. Registered for
 * reflection (with its nested {@link Detail} and {@link Location}): the exception mappers return it inside a
 * {@code Response}, whose entity type Quarkus cannot see at build time.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@RegisterForReflection
public record OpaError(String code, String message, List<Detail> errors) {

    public static final String INVALID_PARAMETER = "invalid_parameter";
    public static final String RESOURCE_NOT_FOUND = "resource_not_found";
    public static final String UNAUTHORIZED = "unauthorized";
    public static final String INTERNAL_ERROR = "internal_error";

    public OpaError(String code, String message) {
        this(code, message, List.of());
    }

    /** One compile problem, located as OPA locates Rego errors (file = policy id) plus the rule. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(String code, String message, Location location) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Location(String file, String rule, Integer row, Integer col) {}
}
