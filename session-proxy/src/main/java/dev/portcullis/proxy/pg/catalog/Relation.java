package dev.portcullis.proxy.pg.catalog;

import java.util.List;
import java.util.Set;

/**
 * One relation as the target's catalog describes it.
 *
 * @param oid the relation's OID (unsigned, as RowDescription's table OID)
 * @param kind {@code pg_class.relkind}: {@code r} table, {@code p} partitioned table, {@code v} view, {@code m}
 *     materialized view, {@code f} foreign table, {@code S} sequence
 * @param columns column names by attnum ({@code columns.get(attnum - 1)}), null for a dropped column
 * @param reads for a view or materialized view, every relation it reads, transitively through other views (tables
 *     and views both); empty for anything else
 * @param opaque for a view: its rule calls a user-defined function, operator or cast, or a function that runs SQL
 *     given as text, so what it exposes cannot be known from its dependencies
 */
public record Relation(
        long oid, String schema, String name, char kind, List<String> columns, Set<Long> reads, boolean opaque) {

    public Relation {
        columns = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(columns));
        reads = Set.copyOf(reads);
    }

    /** A view or materialized view: its values come from other relations. */
    public boolean isView() {
        return kind == 'v' || kind == 'm';
    }

    /** The live column at {@code attnum} (1-based), or null when out of range or dropped. */
    public String column(int attnum) {
        return attnum >= 1 && attnum <= columns.size() ? columns.get(attnum - 1) : null;
    }

    /** Whether a live column of that name exists (exact, as the catalog stores it). */
    public boolean hasColumn(String name) {
        return columns.contains(name) && name != null;
    }

    /** The live columns' names. */
    public List<String> liveColumns() {
        return columns.stream().filter(java.util.Objects::nonNull).toList();
    }
}
