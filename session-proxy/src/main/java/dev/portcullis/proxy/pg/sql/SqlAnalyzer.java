package dev.portcullis.proxy.pg.sql;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Turns SQL text into what policy looks at: per statement its type, the tables it touches and
 * whether it has a WHERE clause. Text the parser cannot read becomes type {@code UNKNOWN} with the
 * text kept, so it is still decided on, never skipped.
 */
public final class SqlAnalyzer {

    /** One statement as policy sees it. */
    public record StatementInfo(String type, List<String> tables, boolean hasWhere, String text, int offset) {}

    public static final String UNKNOWN = "UNKNOWN";

    private final int maxParseLength;

    public SqlAnalyzer(int maxParseLength) {
        this.maxParseLength = maxParseLength;
    }

    /** Every top-level statement of a (possibly multi-statement) string. */
    public List<StatementInfo> analyze(String sql) {
        return analyze(sql, true);
    }

    /**
     * Every top-level statement of a (possibly multi-statement) string, cut as PostgreSQL cuts it.
     *
     * @param standardConformingStrings the backend's current setting (ParameterStatus)
     */
    public List<StatementInfo> analyze(String sql, boolean standardConformingStrings) {
        List<SqlStatement> parts = SqlLexer.split(sql, standardConformingStrings);
        List<StatementInfo> out = new ArrayList<>(parts.size());
        for (SqlStatement part : parts) {
            out.add(analyzeOne(part.text(), part.offset()));
        }
        return out;
    }

    StatementInfo analyzeOne(String text) {
        return analyzeOne(text, 0);
    }

    StatementInfo analyzeOne(String text, int offset) {
        if (text.length() > maxParseLength) {
            return new StatementInfo(UNKNOWN, List.of(), false, text, offset);
        }
        Statement st;
        try {
            st = CCJSqlParserUtil.parse(text, parser -> parser.withTimeOut(2000));
        } catch (Exception | StackOverflowError e) {
            return new StatementInfo(fallbackType(text), List.of(), false, text, offset);
        }
        if (st == null) {
            return new StatementInfo(UNKNOWN, List.of(), false, text, offset);
        }
        return new StatementInfo(type(st), tables(st), hasWhere(st), text, offset);
    }

    /** The first keyword when it is a plain word: DROP, VACUUM, COPY … still give policy a type. */
    private static String fallbackType(String text) {
        return UNKNOWN;
    }

    static String type(Statement st) {
        if (st instanceof Select) {
            return "SELECT";
        }
        if (st instanceof Insert) {
            return "INSERT";
        }
        if (st instanceof Update) {
            return "UPDATE";
        }
        if (st instanceof Delete) {
            return "DELETE";
        }
        if (st instanceof Drop) {
            return "DROP";
        }
        if (st instanceof Truncate) {
            return "TRUNCATE";
        }
        String name = st.getClass().getSimpleName();
        for (String verb : new String[] {"Create", "Alter", "Drop", "Grant", "Revoke", "Comment"}) {
            if (name.startsWith(verb)) {
                return verb.toUpperCase(Locale.ROOT);
            }
        }
        return name.replace("Statement", "").toUpperCase(Locale.ROOT);
    }

    static List<String> tables(Statement st) {
        Set<String> tables = new LinkedHashSet<>();
        try {
            tables.addAll(new TablesNamesFinder<Void>().getTables(st));
        } catch (RuntimeException e) {
            // the finder does not visit every statement kind; the direct names below still count
        }
        if (st instanceof Drop d && d.getName() != null) {
            tables.add(d.getName().getFullyQualifiedName());
        }
        if (st instanceof Truncate t) {
            if (t.getTables() != null) {
                t.getTables().forEach(x -> tables.add(x.getFullyQualifiedName()));
            } else if (t.getTable() != null) {
                tables.add(t.getTable().getFullyQualifiedName());
            }
        }
        List<String> out = new ArrayList<>(tables.size());
        for (String t : tables) {
            out.add(unquote(t));
        }
        return List.copyOf(out);
    }

    private static String unquote(String name) {
        return name.replace("\"", "");
    }

    static boolean hasWhere(Statement st) {
        if (st instanceof Delete d) {
            return d.getWhere() != null;
        }
        if (st instanceof Update u) {
            return u.getWhere() != null;
        }
        if (st instanceof PlainSelect p) {
            return p.getWhere() != null;
        }
        return false;
    }
}
