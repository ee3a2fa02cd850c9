package dev.portcullis.restedge;

import dev.portcullis.contracts.problem.Problem;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The edge rule for every path, query and header parameter, whatever the endpoint: no control characters (a NUL
 * is refused by PostgreSQL, so it must never get that far), and numbers, booleans and UUIDs read strictly. A
 * malformed path segment is a 404 (no resource can have that id), anything else a 400 naming the parameter;
 * JAX-RS would answer a malformed query parameter with 404. Name rules of particular parameters are Bean
 * Validation constraints on the resource methods.
 */
@Provider
public class EdgeParamConverters implements ParamConverterProvider {

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,19}");

    @Override
    @SuppressWarnings("unchecked")
    public <T> ParamConverter<T> getConverter(Class<T> rawType, Type genericType, Annotation[] annotations) {
        ParamLocation where = ParamLocation.of(annotations, null);
        if (where == null) {
            return null;
        }
        Function<String, ?> parse;
        if (rawType == String.class) {
            parse = s -> s;
        } else if (rawType == int.class || rawType == Integer.class) {
            parse = s -> integer(s, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue();
        } else if (rawType == long.class || rawType == Long.class) {
            parse = s -> integer(s, Long.MIN_VALUE, Long.MAX_VALUE);
        } else if (rawType == boolean.class || rawType == Boolean.class) {
            parse = EdgeParamConverters::bool;
        } else if (rawType == UUID.class) {
            parse = EdgeParamConverters::uuid;
        } else {
            return null;
        }
        return (ParamConverter<T>) new Converter<>(where, parse);
    }

    /** Thrown by a parser for a value of the wrong form; carries what the value must be. */
    private static final class Malformed extends RuntimeException {
        Malformed(String mustBe) {
            super(mustBe, null, false, false);
        }
    }

    private record Converter<T>(ParamLocation where, Function<String, T> parse) implements ParamConverter<T> {

        @Override
        public T fromString(String value) {
            if (value == null) {
                return null;
            }
            try {
                if (hasControlCharacter(value)) {
                    throw new Malformed("must not contain control characters");
                }
                return parse.apply(value);
            } catch (Malformed e) {
                throw refusal(where, e.getMessage());
            }
        }

        @Override
        public String toString(T value) {
            return value == null ? null : value.toString();
        }
    }

    static HttpProblemException refusal(ParamLocation where, String mustBe) {
        if (where.kind() == ParamLocation.Kind.PATH) {
            return new HttpProblemException(
                    404,
                    "no such resource: the path segment " + where.name() + " " + mustBe,
                    List.of(new Problem.FieldError(where.name(), mustBe)));
        }
        String kind = where.kind() == ParamLocation.Kind.HEADER ? "header " : "query parameter ";
        return new HttpProblemException(
                400, kind + where.name() + " " + mustBe, List.of(new Problem.FieldError(where.name(), mustBe)));
    }

    /** C0 and C1 controls and DEL, which no id, name or filter of these APIs contains (PostgreSQL refuses a NUL). */
    public static boolean hasControlCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static Long integer(String s, long min, long max) {
        String t = s.trim();
        if (INTEGER.matcher(t).matches()) {
            try {
                long v = Long.parseLong(t);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // out of range of a long: refused below
            }
        }
        throw new Malformed("must be an integer");
    }

    private static Boolean bool(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            // empty (?active=) stays false, as JAX-RS's Boolean.valueOf read it
            case "false", "" -> false;
            default -> throw new Malformed("must be true or false");
        };
    }

    private static UUID uuid(String s) {
        if (!UUID_TEXT.matcher(s).matches()) {
            throw new Malformed("must be a UUID like 123e4567-e89b-12d3-a456-426614174000");
        }
        return UUID.fromString(s);
    }
}
