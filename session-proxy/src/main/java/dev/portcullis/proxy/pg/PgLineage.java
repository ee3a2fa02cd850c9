package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.pg.masking.StatementLineage;
import dev.portcullis.proxy.pg.sql.ColumnRef;
import dev.portcullis.proxy.pg.sql.FromSource;
import dev.portcullis.proxy.pg.sql.OutputLineage;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The analyzer's {@link StatementInfo} as masking's {@link StatementLineage}.
 *
 * <p>The analyzer writes every qualifier it could tie to a table as that base table's name (an alias {@code c} of
 * {@code customers} becomes {@code customers}; sub-selects and CTEs are resolved through), so the lineage's alias map
 * is each table the statement names mapped to itself — never the statement's own aliases, which could map a base
 * table's name to another table ({@code FROM customers AS orders, orders AS customers}). A qualifier the analyzer
 * could not tie to a table is in no map and stays unresolved (strictest). A statement the analyzer could not read is
 * {@link StatementLineage#UNKNOWN}.
 */
final class PgLineage {

    private PgLineage() {}

    static StatementLineage of(StatementInfo info) {
        if (info == null
                || SqlAnalyzer.UNKNOWN.equals(info.type())
                || info.notReadOnly().contains(SqlAnalyzer.UNPARSEABLE)) {
            return StatementLineage.UNKNOWN;
        }
        List<StatementLineage.OutputLineage> outputs = null;
        if (info.outputs() != null) {
            outputs = new ArrayList<>(info.outputs().size());
            for (OutputLineage o : info.outputs()) {
                outputs.add(
                        new StatementLineage.OutputLineage(columns(o.columns()), o.wholeRows(), o.star(), o.opaque()));
            }
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        for (String t : info.tables()) {
            aliases.putIfAbsent(t, t);
        }
        List<StatementLineage.ColumnRef> referenced = new ArrayList<>();
        List<String> wholeRows = new ArrayList<>();
        boolean wholeRowsKnown = true;
        for (ColumnRef r : info.referencedColumns()) {
            if ("*".equals(r.column())) {
                if (r.qualifier() == null) {
                    wholeRowsKnown = false; // a whole row of no known table: every whole row is unknown
                } else {
                    wholeRows.add(r.qualifier());
                }
            } else {
                referenced.add(new StatementLineage.ColumnRef(r.qualifier(), r.column()));
            }
        }
        List<StatementLineage.FunctionRef> functions =
                new ArrayList<>(info.calls().size());
        for (String c : info.calls()) {
            int dot = c.lastIndexOf('.');
            functions.add(
                    dot < 0
                            ? new StatementLineage.FunctionRef(null, c)
                            : new StatementLineage.FunctionRef(c.substring(0, dot), c.substring(dot + 1)));
        }
        boolean derived = info.aliases().values().stream().anyMatch(s -> s.kind() != FromSource.Kind.TABLE);
        return new StatementLineage(
                outputs, aliases, info.tables(), referenced, wholeRowsKnown ? wholeRows : null, functions, derived);
    }

    private static List<StatementLineage.ColumnRef> columns(List<ColumnRef> refs) {
        List<StatementLineage.ColumnRef> out = new ArrayList<>(refs.size());
        for (ColumnRef r : refs) {
            out.add(new StatementLineage.ColumnRef(r.qualifier(), r.column()));
        }
        return out;
    }
}
