package dev.portcullis.proxy.pg.sql;

import java.util.List;

/**
 * Where one select-list item of a query gets its value from, by the syntax alone (no catalog): the input of
 * the mask planner, which decides from it which result columns carry a masked source column.
 *
 * <p>Sub-selects in FROM, CTEs and UNION branches are resolved through: an item {@code s.x} over
 * {@code (SELECT lower(email) AS x FROM customers) s} lists {@code customers.email}, not {@code s.x}.
 *
 * @param columns every column the item's expression references anywhere: inside functions, casts,
 *     operators, CASE, aggregates, window functions and scalar sub-selects (whose own select lists count)
 * @param wholeRows base tables whose whole row flows into the value ({@code row_to_json(c)}, {@code c::text},
 *     {@code json_agg(customers)}, {@code ROW(c.*)}, a bare table or alias used as a value). For a
 *     {@link #star} item: the base tables the star expands to
 * @param star the item is {@code *} or {@code t.*}: it expands to several result columns, which the planner
 *     matches by the backend's RowDescription (table OID and attribute number); {@code columns} and
 *     {@code wholeRows} then hold what the expanded columns may come from
 * @param opaque the value's origin cannot be told from the syntax: a function that runs SQL given as text
 *     ({@code query_to_xml}, {@code dblink} …), a column of a table whose columns were renamed by an alias
 *     list, a recursive CTE, or a construct the analysis does not follow. The planner applies every detector
 *     and the strictest rule for the tables the statement reads
 * @param calls the functions the item's expression calls, as in {@link SqlAnalyzer.StatementInfo#calls()}: a
 *     function that is not built in may read any table itself, so the planner can treat such an item as
 *     opaque with the catalog at hand
 */
public record OutputLineage(
        List<ColumnRef> columns, List<String> wholeRows, boolean star, boolean opaque, List<String> calls) {

    public OutputLineage {
        columns = List.copyOf(columns);
        wholeRows = List.copyOf(wholeRows);
        calls = List.copyOf(calls);
    }

    public OutputLineage(List<ColumnRef> columns, List<String> wholeRows, boolean star, boolean opaque) {
        this(columns, wholeRows, star, opaque, List.of());
    }
}
