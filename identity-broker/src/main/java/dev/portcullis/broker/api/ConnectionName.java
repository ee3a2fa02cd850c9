package dev.portcullis.broker.api;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import dev.portcullis.contracts.connections.ConnectionsFile;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * A connection name or access level as the connections file allows them ({@link ConnectionsFile#isValidName}, the
 * one rule of contracts, not a copy of it). Null is valid (combine with {@code @NotBlank} where the value is required).
 */
@Documented
@Constraint(validatedBy = ConnectionName.Validator.class)
@Target({FIELD, PARAMETER, RECORD_COMPONENT})
@Retention(RUNTIME)
public @interface ConnectionName {

    String message() default "must be " + ConnectionsFile.NAME_RULE;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<ConnectionName, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value == null || ConnectionsFile.isValidName(value);
        }
    }
}
