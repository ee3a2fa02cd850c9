package dev.portcullis.broker.api;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.Pattern;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * An agent's name (= its Keycloak client id), the rule every agent is created under: so a path or filter that
 * breaks it names no agent. Null is valid (combine with {@code @NotBlank} where the name is required).
 */
@Documented
@Pattern(regexp = AgentName.REGEX)
@ReportAsSingleViolation
@Constraint(validatedBy = {})
@Target({FIELD, PARAMETER, RECORD_COMPONENT})
@Retention(RUNTIME)
public @interface AgentName {

    String REGEX = "[a-z0-9][a-z0-9-]{1,62}";

    String message() default
            "must be 2-63 characters: lower-case letters, digits and '-', starting with a letter or digit";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
