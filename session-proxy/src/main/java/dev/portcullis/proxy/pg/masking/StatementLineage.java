package dev.portcullis.proxy.pg.masking;

import java.util.List;
import java.util.Map;

/**
 * What masking needs to know about one statement's data flow, from the SQL analyzer. Every part may be null, which
 * means "not known" and is treated as the strictest case, never as "nothing".
 *
 * <p>This is masking's own input shape; the analyzer's {@code StatementInfo} (its {@code outputs()}, {@code aliases},
 * {@code referencedColumns}) maps onto it one to one.
 *
 * @param outputs per select-list item, in order; null when the statement has no select list the analyzer could read
 * @param aliases range alias → relation name as written ({@code c} → {@code customers}, {@code x} →
 *     {@code app.orders}), for plain relations only (a sub-select's or function's alias is absent)
 * @param tables every relation the statement reads, at any level, as written (qualified or not); null when unknown
 * @param referencedColumns every column reference anywhere in the statement (select list, WHERE, JOIN, GROUP BY,
 *     ORDER BY, sub-selects); null when unknown
 * @param referencedWholeRows every whole-row reference anywhere ({@code c}, {@code c.*}, {@code customers}) by
 *     qualifier; null when unknown
 * @param functions every function the statement calls, as written; null when unknown
 * @param derivedTables a FROM clause at some level holds something other than a plain relation (sub-select, CTE
 *     reference, function, VALUES): then an unqualified column, or a qualifier that is not a known alias, may name one
 *     of their columns and is not resolved against the tables
 */
public record StatementLineage(
        List<OutputLineage> outputs,
        Map<String, String> aliases,
        List<String> tables,
        List<ColumnRef> referencedColumns,
        List<String> referencedWholeRows,
        List<FunctionRef> functions,
        boolean derivedTables) {

    /** Nothing is known: every computed column and every message is treated as touching masked data. */
    public static final StatementLineage UNKNOWN = new StatementLineage(null, Map.of(), null, null, null, null, true);

    public StatementLineage {
        outputs = outputs == null ? null : List.copyOf(outputs);
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
        tables = tables == null ? null : List.copyOf(tables);
        referencedColumns = referencedColumns == null ? null : List.copyOf(referencedColumns);
        referencedWholeRows = referencedWholeRows == null ? null : List.copyOf(referencedWholeRows);
        functions = functions == null ? null : List.copyOf(functions);
    }

    /**
     * One select-list item.
     *
     * @param columns the columns its expression reads, at any depth (function arguments, casts, CASE, sub-selects)
     * @param wholeRows qualifiers of the whole-row references it holds ({@code row_to_json(c)}, {@code c::text})
     * @param star the item is {@code *} or {@code t.*}: it stands for an unknown number of result columns
     * @param opaque its value has no lineage a parser can see (a function running SQL text, a sub-select the analyzer
     *     could not read)
     */
    public record OutputLineage(List<ColumnRef> columns, List<String> wholeRows, boolean star, boolean opaque) {
        public OutputLineage {
            columns = columns == null ? List.of() : List.copyOf(columns);
            wholeRows = wholeRows == null ? List.of() : List.copyOf(wholeRows);
        }

        /** A plain item reading these columns. */
        public static OutputLineage of(ColumnRef... columns) {
            return new OutputLineage(List.of(columns), List.of(), false, false);
        }
    }

    /** A column reference as written: {@code qualifier} is the range alias or relation name, or null. */
    public record ColumnRef(String qualifier, String column) {
        public static ColumnRef of(String column) {
            return new ColumnRef(null, column);
        }

        public static ColumnRef of(String qualifier, String column) {
            return new ColumnRef(qualifier, column);
        }
    }

    /** A function call as written: {@code schema} null when unqualified. */
    public record FunctionRef(String schema, String name) {}
}
