package dev.portcullis.recorder.repository;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The optional filters of a search: each clause is added only when its value is given. */
final class Criteria {

    private final List<String> where = new ArrayList<>();
    private final Map<String, Object> params = new LinkedHashMap<>();

    /** {@code field = :field} when {@code value} is not null. */
    Criteria eq(String field, Object value) {
        return when(value, field + " = :" + field, field);
    }

    /** {@code clause} (which uses {@code :name}) when {@code value} is not null. */
    Criteria when(Object value, String clause, String name) {
        if (value != null) {
            where.add(clause);
            params.put(name, value);
        }
        return this;
    }

    /** {@code whenTrue} if {@code value} is true, {@code whenFalse} if false, nothing if null (no parameters). */
    Criteria either(Boolean value, String whenTrue, String whenFalse) {
        if (value != null) {
            where.add(value ? whenTrue : whenFalse);
        }
        return this;
    }

    String query() {
        return String.join(" and ", where);
    }

    Map<String, Object> params() {
        return params;
    }
}
