package dev.portcullis.proxy.pg.sql;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the analysis of one statement has found so far; {@link SqlAnalyzer} turns it into a StatementInfo. */
final class Facts {

    String type = SqlAnalyzer.UNKNOWN;
    boolean hasWhere;
    final Set<String> tables = new LinkedHashSet<>();
    final Set<String> reads = new LinkedHashSet<>();
    final Set<String> writes = new LinkedHashSet<>();
    final Set<String> calls = new LinkedHashSet<>();
    final Set<String> notReadOnly = new LinkedHashSet<>();
    final Set<String> settings = new LinkedHashSet<>();
    final Set<String> predicateColumns = new LinkedHashSet<>();
    final Set<ColumnRef> referencedColumns = new LinkedHashSet<>();
    final Map<String, FromSource> aliases = new LinkedHashMap<>();
    /** Null when the statement returns no rows the analysis could walk. */
    List<OutputLineage> outputs;

    /**
     * Takes over an inner statement's findings (the query of DECLARE, PREPARE, COPY, EXPLAIN ANALYZE).
     *
     * @param executed whether the inner statement runs: EXPLAIN without ANALYZE only plans it, so its writes,
     *     calls and reasons do not apply
     */
    void absorb(Facts inner, boolean executed) {
        reads.addAll(inner.reads);
        referencedColumns.addAll(inner.referencedColumns);
        predicateColumns.addAll(inner.predicateColumns);
        inner.aliases.forEach(aliases::putIfAbsent);
        hasWhere |= inner.hasWhere;
        if (executed) {
            writes.addAll(inner.writes);
            calls.addAll(inner.calls);
            notReadOnly.addAll(inner.notReadOnly);
            settings.addAll(inner.settings);
            outputs = inner.outputs;
        } else if (inner.notReadOnly.contains(SqlAnalyzer.UNPARSEABLE)) {
            notReadOnly.add(SqlAnalyzer.UNPARSEABLE);
        }
    }
}
