package dev.portcullis.proxy.pg.masking;

import dev.portcullis.contracts.detect.Detector;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.catalog.Relation;
import dev.portcullis.proxy.pg.masking.StatementLineage.ColumnRef;
import dev.portcullis.proxy.pg.masking.StatementLineage.FunctionRef;
import dev.portcullis.proxy.pg.masking.StatementLineage.OutputLineage;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which column strategy a source carries under one decision's mask rules, for one statement: the rules' column globs
 * matched against source columns (never result names), views through every relation they read, and the statement's
 * column references resolved through its aliases and tables. Where a source cannot be resolved the answer is
 * {@link #UNRESOLVED}, and callers apply {@link #unknownLineage()}.
 */
final class LineageResolver {

    /** A resolution: the column strategy of a source, null when no column rule applies. */
    record Mask(String strategy) {
        static final Mask NONE = new Mask(null);

        Mask with(Mask other) {
            return new Mask(Masker.strictest(strategy, other.strategy));
        }
    }

    /** The source could not be resolved (returned as null by the resolving methods). */
    static final Mask UNRESOLVED = null;

    /**
     * System relations whose values are other tables' values (sampled column values, histogram bounds): masked with
     * the policy's strictest column rule whatever their column names say.
     */
    private static final Set<String> STATISTICS =
            Set.of("pg_statistic", "pg_stats", "pg_stats_ext", "pg_stats_ext_exprs", "pg_statistic_ext_data");

    /**
     * SQL syntax that looks like a function call to a parser but is no pg_proc function; it reads nothing beyond its
     * arguments.
     */
    private static final Set<String> SQL_EXPRESSIONS =
            Set.of("coalesce", "greatest", "least", "nullif", "row", "array", "exists", "grouping", "cast");

    private final List<MaskRule> columnRules;
    private final StatementLineage lineage;
    private final PgCatalog catalog;
    /** The strictest column strategy of the whole decision: what "lineage unknown" falls back to. */
    private final String overall;

    private final Map<Long, Mask> wholeRowCache = new HashMap<>();
    private Mask unknownLineage;
    private Boolean functionsKnown;

    LineageResolver(List<MaskRule> rules, StatementLineage lineage, PgCatalog catalog) {
        this.columnRules = rules.stream().filter(r -> r.column() != null).toList();
        this.lineage = lineage == null ? StatementLineage.UNKNOWN : lineage;
        this.catalog = catalog == null ? PgCatalog.EMPTY : catalog;
        String strictest = null;
        for (MaskRule r : rules) {
            if (r.column() != null) {
                strictest = Masker.strictest(strictest, strategy(r));
            } else if (r.detector() != null && Detector.fromId(r.detector()).isEmpty()) {
                strictest = "redact"; // Masker masks every value for a detector it does not know
            }
        }
        this.overall = strictest;
    }

    private static String strategy(MaskRule r) {
        return r.strategy() == null ? "redact" : r.strategy();
    }

    StatementLineage lineage() {
        return lineage;
    }

    PgCatalog catalog() {
        return catalog;
    }

    /** The decision's strictest column strategy, or null when it has no column rule. */
    String overall() {
        return overall;
    }

    // ---- sources -------------------------------------------------------------------------------

    /** The column rules matching one column by its own name, {@code table.column} or {@code schema.table.column}. */
    Mask byName(Relation r, String column) {
        String c = column.toLowerCase(Locale.ROOT);
        String t = r.name().toLowerCase(Locale.ROOT) + "." + c;
        String s = r.schema().toLowerCase(Locale.ROOT) + "." + t;
        String strictest = null;
        for (MaskRule rule : columnRules) {
            String glob = rule.column().toLowerCase(Locale.ROOT);
            boolean match = glob.indexOf('.') < 0 ? Masker.glob(glob, c) : Masker.glob(glob, t) || Masker.glob(glob, s);
            if (match) {
                strictest = Masker.strictest(strictest, strategy(rule));
            }
        }
        return new Mask(strictest);
    }

    /**
     * A source column's strategy: its own name's rules; for a view (or materialized view) also the strictest
     * strategy of every column of every relation it reads — PostgreSQL's dependencies cannot tell which base column
     * feeds which view column, so a view over masked data masks all its columns; for an opaque view or a statistics
     * relation, the decision's strictest.
     */
    Mask column(Relation r, String column) {
        Mask m = byName(r, column);
        if (r.isView() || special(r)) {
            m = m.with(viewData(r));
        }
        return m;
    }

    /** A source column by attnum (RowDescription); a dropped or unknown attnum is unresolved. */
    Mask column(Relation r, int attnum) {
        if (attnum == 0) {
            return wholeRow(r);
        }
        if (attnum < 0) {
            return r.isView() || special(r) ? viewData(r) : Mask.NONE; // ctid, xmin…: system columns
        }
        String name = r.column(attnum);
        return name == null ? UNRESOLVED : column(r, name);
    }

    /** A whole-row reference: the strictest of every column. */
    Mask wholeRow(Relation r) {
        return wholeRowCache.computeIfAbsent(r.oid(), k -> {
            Mask m = Mask.NONE;
            for (String c : r.liveColumns()) {
                m = m.with(byName(r, c));
            }
            return r.isView() || special(r) ? m.with(viewData(r)) : m;
        });
    }

    private boolean special(Relation r) {
        return r.schema().equals("pg_catalog") && STATISTICS.contains(r.name());
    }

    private Mask viewData(Relation r) {
        if (r.opaque() || special(r)) {
            return new Mask(overall);
        }
        Mask m = Mask.NONE;
        for (long oid : r.reads()) {
            Relation base = catalog.relation(oid).orElse(null);
            if (base == null) {
                return new Mask(overall); // a relation the snapshot does not hold
            }
            for (String c : base.liveColumns()) {
                m = m.with(byName(base, c));
            }
            if (special(base)) {
                m = m.with(new Mask(overall));
            }
        }
        return m;
    }

    // ---- the statement's references --------------------------------------------------------------

    /** The relation a qualifier names: an alias of the statement, or a relation it reads by that name. */
    private Relation qualified(String qualifier) {
        String table = lookup(lineage.aliases(), qualifier);
        if (table == null) {
            if (lineage.derivedTables() || lineage.tables() == null || !containsName(lineage.tables(), qualifier)) {
                return null;
            }
            table = qualifier;
        }
        return catalog.relation(table).orElse(null);
    }

    private static String lookup(Map<String, String> aliases, String key) {
        String v = aliases.get(key);
        if (v == null) {
            for (Map.Entry<String, String> e : aliases.entrySet()) {
                if (e.getKey().equalsIgnoreCase(key)) {
                    return e.getValue();
                }
            }
        }
        return v;
    }

    private static boolean containsName(List<String> tables, String qualifier) {
        for (String t : tables) {
            String last = t.substring(t.lastIndexOf('.') + 1);
            if (last.equalsIgnoreCase(qualifier) || t.equalsIgnoreCase(qualifier)) {
                return true;
            }
        }
        return false;
    }

    private static String columnIn(Relation r, String column) {
        if (r.hasColumn(column)) {
            return column;
        }
        String lower = column.toLowerCase(Locale.ROOT);
        return r.hasColumn(lower) ? lower : null;
    }

    /** A column reference's strategy, or {@link #UNRESOLVED}. */
    Mask reference(ColumnRef ref) {
        if (ref == null || ref.column() == null) {
            return UNRESOLVED;
        }
        if (ref.qualifier() != null) {
            Relation r = qualified(ref.qualifier());
            String c = r == null ? null : columnIn(r, ref.column());
            return c == null ? UNRESOLVED : column(r, c);
        }
        if (lineage.derivedTables() || lineage.tables() == null) {
            return UNRESOLVED;
        }
        Mask m = null;
        for (String t : lineage.tables()) {
            Relation r = catalog.relation(t).orElse(null);
            if (r == null) {
                return UNRESOLVED; // the column may be this unknown relation's
            }
            String c = columnIn(r, ref.column());
            if (c != null) {
                m = m == null ? column(r, c) : m.with(column(r, c)); // ambiguous: every candidate
            }
        }
        return m;
    }

    /** A whole-row reference's strategy, or {@link #UNRESOLVED}. */
    Mask wholeRowReference(String qualifier) {
        if (qualifier == null) {
            return UNRESOLVED;
        }
        Relation r = qualified(qualifier);
        return r == null ? UNRESOLVED : wholeRow(r);
    }

    /** A select-list item's strategy, or {@link #UNRESOLVED}. */
    Mask output(OutputLineage item) {
        if (item == null || item.opaque() || item.star() || !functionsKnown()) {
            return UNRESOLVED;
        }
        Mask m = Mask.NONE;
        for (ColumnRef ref : item.columns()) {
            Mask c = reference(ref);
            if (c == UNRESOLVED) {
                return UNRESOLVED;
            }
            m = m.with(c);
        }
        for (String q : item.wholeRows()) {
            Mask w = wholeRowReference(q);
            if (w == UNRESOLVED) {
                return UNRESOLVED;
            }
            m = m.with(w);
        }
        return m;
    }

    /**
     * What a value of unknown lineage gets: the strictest column strategy of every relation the statement reads, or
     * the decision's strictest when those are not all known (unknown tables, a relation the catalog lacks, a call of
     * a function that may read anything).
     */
    Mask unknownLineage() {
        if (unknownLineage == null) {
            unknownLineage = computeUnknownLineage();
        }
        return unknownLineage;
    }

    private Mask computeUnknownLineage() {
        if (lineage.tables() == null || !functionsKnown()) {
            return new Mask(overall);
        }
        Mask m = Mask.NONE;
        for (String t : lineage.tables()) {
            Relation r = catalog.relation(t).orElse(null);
            if (r == null) {
                return new Mask(overall);
            }
            m = m.with(wholeRow(r));
        }
        return m;
    }

    /**
     * Whether every function the statement calls is a built-in whose result comes from its arguments only: a
     * {@code pg_catalog} function (not one that runs SQL text) or SQL syntax like {@code coalesce}. A user-defined
     * function, or a name that also exists outside {@code pg_catalog} on the search_path, may read any table.
     */
    boolean functionsKnown() {
        if (functionsKnown == null) {
            functionsKnown = computeFunctionsKnown();
        }
        return functionsKnown;
    }

    private boolean computeFunctionsKnown() {
        if (lineage.functions() == null) {
            return false;
        }
        for (FunctionRef f : lineage.functions()) {
            if (f == null || f.name() == null) {
                return false;
            }
            String name = f.name().toLowerCase(Locale.ROOT);
            if (f.schema() == null && SQL_EXPRESSIONS.contains(name)) {
                continue;
            }
            if (PgCatalog.SQL_TEXT_FUNCTIONS.contains(name)) {
                return false;
            }
            List<String> schemas = catalog.functionSchemas(f.schema(), f.name());
            if (schemas.isEmpty() || !schemas.stream().allMatch("pg_catalog"::equals)) {
                return false;
            }
        }
        return true;
    }
}
