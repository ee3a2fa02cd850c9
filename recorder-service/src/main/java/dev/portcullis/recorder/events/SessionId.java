package dev.portcullis.recorder.events;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * A session id as the recorder accepts them from session events ({@link SessionEventParser#SESSION_ID}, the one
 * rule, not a copy of it): an id that breaks it names no recorded session. Null and blank are valid (a filter
 * left empty).
 */
@Documented
@Constraint(validatedBy = SessionId.Validator.class)
@Target({FIELD, PARAMETER})
@Retention(RUNTIME)
public @interface SessionId {

    String MESSAGE = "must be 1-128 characters: letters, digits, '.', '_', ':' and '-'";

    String message() default MESSAGE;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<SessionId, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            // blank: no session given (a query filter left empty)
            return value == null || value.isBlank() || matches(value);
        }

        /** For the routes outside Quarkus REST. */
        public static boolean matches(String value) {
            return SessionEventParser.SESSION_ID.matcher(value).matches();
        }
    }
}
