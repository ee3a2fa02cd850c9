package dev.portcullis.proxy.pg.sql;

import static dev.portcullis.proxy.pg.sql.LineageScope.ANY_COLUMN;
import static dev.portcullis.proxy.pg.sql.LineageScope.UNKNOWN;
import static dev.portcullis.proxy.pg.sql.LineageScope.outputs;
import static dev.portcullis.proxy.pg.sql.LineageScope.rename;
import static dev.portcullis.proxy.pg.sql.LineageScope.union;

import dev.portcullis.proxy.pg.sql.FromSource.Kind;
import dev.portcullis.proxy.pg.sql.LineageScope.Acc;
import dev.portcullis.proxy.pg.sql.LineageScope.Named;
import dev.portcullis.proxy.pg.sql.LineageScope.Scope;
import dev.portcullis.proxy.pg.sql.LineageScope.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.ParenthesedStatement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.delete.ParenthesedDelete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.insert.ParenthesedInsert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.TableStatement;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.ParenthesedUpdate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;

/**
 * The second pass over a parsed statement, with scopes: which tables it reads (a CTE's name is not a table),
 * what each alias stands for, every column it references resolved through sub-selects and CTEs, the columns
 * its predicates use, and the lineage of each result column ({@link OutputLineage}).
 *
 * <p>Clauses are walked explicitly where scope matters (WITH, FROM, JOIN, the select list); every other field
 * of a node is swept generically ({@link Ast}), so a column in a clause this class does not name is still
 * resolved and referenced.
 */
final class Lineage {

    /** Fields whose expressions filter or order rows: their columns are predicate columns. */
    private static final Set<String> PREDICATE_FIELDS = Set.of(
            "where",
            "having",
            "qualify",
            "onExpression",
            "onExpressions",
            "usingColumns",
            "orderByElements",
            "filterExpression",
            "onCondition",
            "andPredicate",
            "whereCondition",
            "deleteWhereCondition");

    private final Facts facts;

    private Lineage(Facts facts) {
        this.facts = facts;
    }

    /** Walks a parsed statement; sets {@code facts.outputs} for a query or a DML statement with RETURNING. */
    static void collect(Object statement, Facts facts) {
        Lineage l = new Lineage(facts);
        Scope top = new Scope(null);
        if (statement instanceof Select s) {
            facts.outputs = outputs(l.query(s, top));
        } else if (isDml(statement)) {
            List<Named> returning = l.dml(statement, top);
            facts.outputs = returning == null ? null : outputs(returning);
        } else {
            l.sweep(statement, top, false, new Acc());
        }
    }

    // --- queries

    private List<Named> query(Select s, Scope outer) {
        Scope scope = ctes(s.getWithItemsList(), outer);
        List<Named> out;
        Scope level = new Scope(scope);
        if (s instanceof PlainSelect p) {
            out = plain(p, level);
        } else if (s instanceof SetOperationList so) {
            List<List<Named>> branches = new ArrayList<>();
            for (Select b : so.getSelects()) {
                branches.add(query(b, scope));
            }
            out = union(branches);
        } else if (s instanceof ParenthesedSelect ps) {
            out = query(ps.getSelect(), scope);
        } else if (s instanceof Values v) {
            out = values(v, level);
        } else if (s instanceof TableStatement ts) {
            Source src = from(ts.getTable(), level);
            Acc acc = new Acc();
            wholeRow(src, acc);
            out = List.of(new Named(ANY_COLUMN, acc.toOutput(true)));
        } else {
            sweep(s, scope, false, new Acc());
            return List.of(new Named(ANY_COLUMN, UNKNOWN));
        }
        // ORDER BY, LIMIT, OFFSET, FETCH and the rest of this level, resolved against its FROM items
        sweepExcept(
                s,
                level,
                Set.of(
                        "withItemsList",
                        "selectItems",
                        "fromItem",
                        "joins",
                        "selects",
                        "select",
                        "expressions",
                        "table",
                        "intoTables",
                        "intoTempTable",
                        "forUpdateTable",
                        "alias"));
        return out;
    }

    private List<Named> plain(PlainSelect p, Scope level) {
        from(p.getFromItem(), level);
        joins(p.getJoins(), level);
        if (p.getSelectItems() == null) {
            return List.of();
        }
        List<Named> out = new ArrayList<>();
        for (SelectItem<?> si : p.getSelectItems()) {
            out.add(item(si, level));
        }
        return out;
    }

    private void joins(List<Join> joins, Scope level) {
        if (joins == null) {
            return;
        }
        for (Join j : joins) {
            from(j.getRightItem(), level);
        }
        for (Join j : joins) {
            sweepExcept(j, level, Set.of("rightItem", "fromItem"));
        }
    }

    private List<Named> values(Values v, Scope level) {
        List<Acc> cols = new ArrayList<>();
        if (v.getExpressions() != null) {
            for (Object row : v.getExpressions()) {
                List<?> items = row instanceof List<?> l ? l : List.of(row);
                for (int i = 0; i < items.size(); i++) {
                    if (cols.size() <= i) {
                        cols.add(new Acc());
                    }
                    visit(items.get(i), level, false, cols.get(i));
                }
            }
        }
        List<Named> out = new ArrayList<>();
        for (int i = 0; i < cols.size(); i++) {
            out.add(new Named("column" + (i + 1), cols.get(i).toOutput(false)));
        }
        return out;
    }

    private Named item(SelectItem<?> si, Scope level) {
        Object e = si.getExpression();
        Acc acc = new Acc();
        if (e instanceof AllTableColumns atc) {
            Source src = level.source(qualifier(atc.getTable()));
            if (src == null) {
                acc.opaque = true;
            } else {
                wholeRow(src, acc);
            }
            return new Named(ANY_COLUMN, acc.toOutput(true));
        }
        if (e instanceof AllColumns) {
            level.sources.forEach(src -> wholeRow(src, acc));
            return new Named(ANY_COLUMN, acc.toOutput(true));
        }
        visit(e, level, false, acc);
        String name;
        if (si.getAlias() != null) {
            name = Names.fold(si.getAlias().getName());
        } else if (e instanceof Column c) {
            name = Names.fold(c.getColumnName());
        } else if (e instanceof Function f
                && f.getMultipartName() != null
                && !f.getMultipartName().isEmpty()) {
            name = Names.fold(f.getMultipartName().get(f.getMultipartName().size() - 1));
        } else {
            name = "?column?";
        }
        return new Named(name, acc.toOutput(false));
    }

    // --- WITH and FROM

    private Scope ctes(List<WithItem<?>> items, Scope outer) {
        if (items == null || items.isEmpty()) {
            return outer;
        }
        Scope scope = new Scope(outer);
        for (WithItem<?> w : items) {
            String name = Names.fold(w.getAliasName());
            facts.aliases.putIfAbsent(name, new FromSource(Kind.CTE, name));
            if (w.isRecursive()) {
                // the recursive branch reads the CTE itself: its lineage is not followed
                scope.ctes.put(name, List.of(new Named(ANY_COLUMN, UNKNOWN)));
            }
            List<Named> outs = statementOutputs(w.getParenthesedStatement(), scope);
            List<String> names = new ArrayList<>();
            if (w.getWithItemList() != null) {
                for (SelectItem<?> si : w.getWithItemList()) {
                    names.add(Names.fold(String.valueOf(si.getExpression())));
                }
            }
            scope.ctes.put(name, rename(outs, names));
        }
        return scope;
    }

    private List<Named> statementOutputs(Object st, Scope scope) {
        if (st instanceof Select s) {
            return query(s, scope);
        }
        List<Named> r = isDml(st) ? dml(st, scope) : null;
        return r == null ? List.of() : r;
    }

    private Source from(FromItem f, Scope level) {
        if (f == null) {
            return null;
        }
        Alias alias = f.getAlias();
        String aliasName = alias == null ? null : Names.fold(alias.getName());
        List<String> aliasColumns = new ArrayList<>();
        if (alias != null && alias.getAliasColumns() != null) {
            alias.getAliasColumns().forEach(c -> aliasColumns.add(Names.fold(c.name)));
        }
        Source src;
        if (f instanceof Table t) {
            String simple = Names.fold(t.getName());
            List<Named> cte = t.getSchemaName() == null ? level.cte(simple) : null;
            String ref = aliasName == null ? simple : aliasName;
            if (cte != null) {
                src = new Source(ref, Kind.CTE, simple, rename(cte, aliasColumns), false, null);
                facts.aliases.putIfAbsent(ref, new FromSource(Kind.CTE, simple));
            } else {
                String table = Effects.name(t);
                facts.reads.add(table);
                src = new Source(ref, Kind.TABLE, table, null, !aliasColumns.isEmpty(), null);
                facts.aliases.putIfAbsent(ref, new FromSource(Kind.TABLE, table));
            }
        } else if (f instanceof TableFunction tf) {
            Acc acc = new Acc();
            visit(tf.getFunction(), level, false, acc);
            String ref = aliasName != null
                    ? aliasName
                    : Names.fold(tf.getFunction().getMultipartName().getLast());
            src = new Source(ref, Kind.FUNCTION, null, null, false, acc.toOutput(false));
            facts.aliases.putIfAbsent(ref, new FromSource(Kind.FUNCTION, null));
        } else if (f instanceof Select s) {
            // a sub-select (also LATERAL) or VALUES: it may see the FROM items before it
            List<Named> outs = query(s, level);
            String ref = aliasName == null ? "?derived?" : aliasName;
            src = new Source(ref, Kind.DERIVED, null, rename(outs, aliasColumns), false, null);
            facts.aliases.putIfAbsent(ref, new FromSource(Kind.DERIVED, null));
        } else if (f instanceof ParenthesedFromItem pf) {
            from(pf.getFromItem(), level);
            joins(pf.getJoins(), level);
            return null;
        } else {
            sweep(f, level, false, new Acc());
            src = new Source(
                    aliasName == null ? "?derived?" : aliasName,
                    Kind.DERIVED,
                    null,
                    List.of(new Named(ANY_COLUMN, UNKNOWN)),
                    false,
                    null);
        }
        level.sources.add(src);
        return src;
    }

    // --- data-modifying statements

    private static boolean isDml(Object st) {
        return st instanceof Insert || st instanceof Update || st instanceof Delete || st instanceof Merge;
    }

    /** The RETURNING lineage, or null without RETURNING. */
    private List<Named> dml(Object st, Scope outer) {
        if (st instanceof ParenthesedInsert pi && pi.getInsert() != null) {
            return dml(pi.getInsert(), outer);
        }
        if (st instanceof ParenthesedUpdate pu && pu.getUpdate() != null) {
            return dml(pu.getUpdate(), outer);
        }
        if (st instanceof ParenthesedDelete pd && pd.getDelete() != null) {
            return dml(pd.getDelete(), outer);
        }
        Scope level;
        List<SelectItem<?>> returning = null;
        if (st instanceof Insert i) {
            Scope scope = ctes(i.getWithItemsList(), outer);
            if (i.getSelect() != null) {
                query(i.getSelect(), scope);
            }
            level = new Scope(scope);
            Source target = target(i.getTable(), level);
            if (i.getColumns() != null) {
                i.getColumns()
                        .forEach(c -> reference(new ColumnRef(target.table, Names.fold(c.getColumnName())), false));
            }
            sweepExcept(i, level, Set.of("withItemsList", "select", "table", "columns", "returningClause"));
            returning = i.getReturningClause();
        } else if (st instanceof Update u) {
            level = new Scope(ctes(u.getWithItemsList(), outer));
            Source target = target(u.getTable(), level);
            from(u.getFromItem(), level);
            joins(u.getStartJoins(), level);
            joins(u.getJoins(), level);
            if (u.getUpdateSets() != null) {
                for (UpdateSet set : u.getUpdateSets()) {
                    set.getColumns()
                            .forEach(c -> reference(new ColumnRef(target.table, Names.fold(c.getColumnName())), false));
                    visit(set.getValues(), level, false, new Acc());
                }
            }
            sweepExcept(
                    u,
                    level,
                    Set.of(
                            "withItemsList",
                            "table",
                            "fromItem",
                            "startJoins",
                            "joins",
                            "updateSets",
                            "returningClause"));
            returning = u.getReturningClause();
        } else if (st instanceof Delete d) {
            level = new Scope(ctes(d.getWithItemsList(), outer));
            target(d.getTable(), level);
            if (d.getUsingList() != null) {
                d.getUsingList().forEach(t -> from(t, level));
            }
            joins(d.getJoins(), level);
            sweepExcept(d, level, Set.of("withItemsList", "table", "tables", "usingList", "joins", "returningClause"));
            returning = d.getReturningClause();
        } else {
            Merge m = (Merge) st;
            level = new Scope(ctes(m.getWithItemsList(), outer));
            target(m.getTable(), level);
            from(m.getFromItem(), level);
            sweepExcept(m, level, Set.of("withItemsList", "table", "fromItem"));
        }
        if (returning == null) {
            return null;
        }
        List<Named> out = new ArrayList<>();
        for (SelectItem<?> si : returning) {
            out.add(item(si, level));
        }
        return out;
    }

    /** The table a DML statement writes: in scope for its expressions, not a read. */
    private Source target(Table t, Scope level) {
        String table = Effects.name(t);
        String ref = t.getAlias() == null
                ? Names.fold(t.getName())
                : Names.fold(t.getAlias().getName());
        Source src = new Source(ref, Kind.TABLE, table, null, false, null);
        facts.aliases.putIfAbsent(ref, new FromSource(Kind.TABLE, table));
        level.sources.add(src);
        return src;
    }

    // --- expressions

    private void sweepExcept(Object node, Scope scope, Set<String> skip) {
        for (Ast.Child c : Ast.children(node)) {
            if (!skip.contains(c.field())) {
                visit(c.node(), scope, PREDICATE_FIELDS.contains(c.field()), new Acc());
            }
        }
    }

    private void sweep(Object node, Scope scope, boolean predicate, Acc acc) {
        for (Ast.Child c : Ast.children(node)) {
            visit(c.node(), scope, predicate || PREDICATE_FIELDS.contains(c.field()), acc);
        }
    }

    private void visit(Object n, Scope scope, boolean predicate, Acc acc) {
        if (n instanceof Column c) {
            column(c, scope, predicate, acc);
            if (c.getArrayConstructor() != null) {
                visit(c.getArrayConstructor(), scope, predicate, acc);
            }
        } else if (n instanceof AllTableColumns atc) {
            Source src = scope.source(qualifier(atc.getTable()));
            if (src == null) {
                acc.opaque = true;
            } else {
                wholeRow(src, acc);
            }
        } else if (n instanceof AllColumns) {
            innermostSources(scope).forEach(src -> wholeRow(src, acc));
        } else if (n instanceof Select s) {
            // a scalar, EXISTS, IN or ARRAY sub-select: its select list flows into the value
            query(s, scope).forEach(o -> acc.add(o.lineage()));
        } else if (n instanceof ParenthesedStatement || isDml(n)) {
            statementOutputs(n, scope).forEach(o -> acc.add(o.lineage()));
        } else if (n instanceof Table) {
            return; // a qualifier or a FOR UPDATE OF target, not a value
        } else if (n instanceof Function f) {
            String call = f.getMultipartName() == null || f.getMultipartName().isEmpty()
                    ? null
                    : Functions.callName(f.getMultipartName());
            if (call != null && !(f.getMultipartName().size() == 1 && Functions.isGrammarForm(call))) {
                acc.calls.add(call);
                acc.opaque |= Functions.runsSqlText(call);
            }
            arguments(f, scope, predicate, acc);
        } else if (n instanceof AnalyticExpression a) {
            if (a.getName() != null) {
                acc.calls.add(Functions.callName(List.of(a.getName())));
            }
            arguments(a, scope, predicate, acc);
        } else if (Ast.isNode(n)) {
            sweep(n, scope, predicate, acc);
        }
    }

    /** A function's children; a bare {@code *} argument (count(*)) counts rows, it carries no value. */
    private void arguments(Object function, Scope scope, boolean predicate, Acc acc) {
        for (Ast.Child c : Ast.children(function)) {
            if (isBareStar(c.node()) || c.node() instanceof List<?> l && l.size() == 1 && isBareStar(l.get(0))) {
                continue;
            }
            visit(c.node(), scope, predicate || PREDICATE_FIELDS.contains(c.field()), acc);
        }
    }

    private static boolean isBareStar(Object node) {
        return node instanceof AllColumns && !(node instanceof AllTableColumns);
    }

    private static List<Source> innermostSources(Scope scope) {
        for (Scope s = scope; s != null; s = s.parent) {
            if (!s.sources.isEmpty()) {
                return s.sources;
            }
        }
        return List.of();
    }

    private static String qualifier(Table t) {
        return t == null || t.getName() == null ? null : Names.fold(t.getName());
    }

    private void column(Column c, Scope scope, boolean predicate, Acc acc) {
        String col = Names.fold(c.getColumnName());
        String q = qualifier(c.getTable());
        List<ColumnRef> refs = new ArrayList<>();
        if (q == null) {
            if (Functions.VALUE_KEYWORDS.contains(col) && !c.getColumnName().startsWith("\"")) {
                return;
            }
            unqualified(col, scope, acc, refs);
        } else {
            Source src = scope.source(q);
            if (src == null) {
                String schema = c.getTable().getSchemaName();
                refs.add(new ColumnRef(schema == null ? q : Names.fold(schema) + "." + q, col));
            } else {
                ofSource(src, col, acc, refs);
            }
        }
        for (ColumnRef r : refs) {
            acc.columns.add(r);
            reference(r, predicate);
        }
        if (refs.isEmpty() && predicate) {
            facts.predicateColumns.add(col);
        }
    }

    private void reference(ColumnRef r, boolean predicate) {
        facts.referencedColumns.add(r);
        if (predicate) {
            facts.predicateColumns.add(r.column());
        }
    }

    /** A bare name: a column of any FROM item in scope (innermost first), or a whole row of one. */
    private void unqualified(String col, Scope scope, Acc acc, List<ColumnRef> refs) {
        int tables = 0;
        String onlyTable = null;
        boolean anySource = false;
        for (Scope s = scope; s != null; s = s.parent) {
            for (Source src : s.sources) {
                anySource = true;
                if (src.kind == Kind.TABLE) {
                    tables++;
                    onlyTable = src.table;
                    acc.opaque |= src.renamed;
                } else if (src.kind == Kind.FUNCTION) {
                    acc.add(src.function);
                } else {
                    for (Named n : src.outputs) {
                        if (n.name().equals(col) || n.lineage().star()) {
                            acc.add(n.lineage());
                            refs.addAll(n.lineage().columns());
                        }
                    }
                }
                if (src.ref.equals(col)) {
                    wholeRow(src, acc); // PostgreSQL reads a bare FROM name as the whole row when no column has it
                }
            }
        }
        if (tables > 0 || !anySource) {
            refs.add(new ColumnRef(tables == 1 ? onlyTable : null, col));
        }
    }

    private void ofSource(Source src, String col, Acc acc, List<ColumnRef> refs) {
        switch (src.kind) {
            case TABLE -> {
                refs.add(new ColumnRef(src.table, col));
                acc.opaque |= src.renamed;
            }
            case FUNCTION -> acc.add(src.function);
            default -> {
                boolean found = false;
                for (Named n : src.outputs) {
                    if (n.name().equals(col) || n.lineage().star()) {
                        acc.add(n.lineage());
                        refs.addAll(n.lineage().columns());
                        found |= n.name().equals(col);
                    }
                }
                if (!found) {
                    wholeRow(src, acc);
                }
            }
        }
    }

    private void wholeRow(Source src, Acc acc) {
        if (src == null) {
            acc.opaque = true;
            return;
        }
        switch (src.kind) {
            case TABLE -> {
                acc.wholeRows.add(src.table);
                facts.referencedColumns.add(new ColumnRef(src.table, ANY_COLUMN));
            }
            case FUNCTION -> acc.add(src.function);
            default -> src.outputs.forEach(n -> acc.add(n.lineage()));
        }
    }
}
