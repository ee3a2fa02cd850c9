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
 * A review id as session-proxy makes them (a UUID; the event id when a request names none), within the
 * column's 100 characters: letters, digits, '.', '_', ':' and '-'.
 */
@Documented
@Pattern(regexp = ReviewId.REGEX)
@ReportAsSingleViolation
@Constraint(validatedBy = {})
@Target({FIELD, PARAMETER, RECORD_COMPONENT})
@Retention(RUNTIME)
public @interface ReviewId {

    String REGEX = "[A-Za-z0-9][A-Za-z0-9._:-]{0,99}";

    String message() default "must be 1-100 characters: letters, digits, '.', '_', ':' and '-'";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
