package dev.portcullis.proxy.pg.sql;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.NextValExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.ParenthesedStatement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.upsert.Upsert;

/**
 * The first pass over a parsed statement: what it does wherever it is written, no scopes needed. Every node
 * of the tree is visited ({@link Ast}), so a function call or a data-modifying statement in a clause no
 * visitor knows still counts: function calls, DML nested in CTEs, SELECT INTO, row locks.
 */
final class Effects {

    private final Facts facts;
    private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());

    private Effects(Facts facts) {
        this.facts = facts;
    }

    static void collect(Object root, Facts facts) {
        new Effects(facts).visit(root, null, true);
    }

    private void visit(Object node, Object parent, boolean root) {
        if (!seen.add(node)) {
            return;
        }
        if (node instanceof Function f && !(node instanceof net.sf.jsqlparser.statement.select.TableFunction)) {
            call(f.getMultipartName());
            setConfig(f);
        } else if (node instanceof AnalyticExpression a && a.getName() != null) {
            call(List.of(a.getName()));
        } else if (node instanceof NextValExpression) {
            facts.calls.add("nextval");
        } else if (node instanceof Insert
                || node instanceof Update
                || node instanceof Delete
                || node instanceof Merge
                || node instanceof Upsert) {
            if (!root) {
                facts.notReadOnly.add(
                        parent instanceof WithItem<?> || parent instanceof ParenthesedStatement
                                ? "data-modifying CTE"
                                : "data-modifying sub-statement");
            }
            target(node);
        }
        if (node instanceof PlainSelect p
                && (p.getIntoTables() != null && !p.getIntoTables().isEmpty() || p.getIntoTempTable() != null)) {
            facts.notReadOnly.add("SELECT INTO");
            if (p.getIntoTables() != null) {
                p.getIntoTables().forEach(t -> facts.writes.add(name(t)));
            }
            if (p.getIntoTempTable() != null) {
                facts.writes.add(name(p.getIntoTempTable()));
            }
        }
        if (node instanceof Select s
                && (s.getForMode() != null
                        || s.getForUpdateTable() != null
                        || s.isSkipLocked()
                        || s.isNoWait()
                        || s.getWait() != null)) {
            // a row lock writes the row's xmax: not read-only, and refused in a read-only transaction
            facts.notReadOnly.add(
                    "FOR " + (s.getForMode() == null ? "UPDATE" : s.getForMode().getValue()));
        }
        for (Ast.Child c : Ast.children(node)) {
            visit(c.node(), node, false);
        }
    }

    private void call(List<String> parts) {
        if (parts == null || parts.isEmpty()) {
            return;
        }
        String name = Functions.callName(parts);
        if (parts.size() == 1 && Functions.isGrammarForm(name)) {
            return;
        }
        facts.calls.add(name);
    }

    /**
     * set_config(name, …) changes a setting like SET: its name, when written as a plain literal, goes to
     * {@code settings}; any other form is "*" (unknown), which policy treats as the worst case.
     */
    private void setConfig(Function f) {
        List<String> parts = f.getMultipartName();
        if (parts == null || parts.isEmpty()) {
            return;
        }
        String name = Functions.callName(parts);
        if (!name.equals("set_config") && !name.equals("pg_catalog.set_config")) {
            return;
        }
        Object first = f.getParameters() == null || f.getParameters().isEmpty()
                ? null
                : f.getParameters().get(0);
        if (first instanceof StringValue sv
                && sv.getPrefix() == null
                && sv.getValue().chars().allMatch(c -> c == '_' || c == '.' || Character.isLetterOrDigit(c))) {
            facts.settings.add(sv.getValue().toLowerCase(Locale.ROOT));
        } else {
            facts.settings.add("*");
        }
    }

    private void target(Object dml) {
        Table t = null;
        List<Table> more = null;
        if (dml instanceof Insert i) {
            t = i.getTable();
        } else if (dml instanceof Update u) {
            t = u.getTable();
        } else if (dml instanceof Delete d) {
            t = d.getTable();
            more = d.getTables();
        } else if (dml instanceof Merge m) {
            t = m.getTable();
        } else if (dml instanceof Upsert u) {
            t = u.getTable();
        }
        if (t != null) {
            facts.writes.add(name(t));
        }
        if (more != null) {
            more.forEach(x -> facts.writes.add(name(x)));
        }
    }

    static String name(Table t) {
        return Names.foldQualified(t.getFullyQualifiedName());
    }
}
