package dev.portcullis.proxy.pg.sql;

import dev.portcullis.proxy.pg.sql.SqlTokens.Kind;
import dev.portcullis.proxy.pg.sql.SqlTokens.Scan;
import dev.portcullis.proxy.pg.sql.SqlTokens.Token;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.UnsupportedStatement;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.drop.Drop;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.truncate.Truncate;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Turns SQL text into what policy looks at: per statement its type, what it reads, writes, calls and sets,
 * whether its syntax alone makes it read-only, and the lineage of its result columns for masking
 * (docs/architecture.md, "Policy input").
 *
 * <p>Each statement is cut as PostgreSQL cuts it ({@link SqlLexer#split}); its comments are removed by our
 * lexer before JSqlParser reads it, so JSqlParser never decides what is a comment. PostgreSQL utility
 * statements JSqlParser does not know are read from the token stream ({@link PgUtility}); the rest from
 * JSqlParser's tree ({@link Effects}, {@link Lineage}). Text that cannot be read keeps its first keyword as
 * its type (or {@code UNKNOWN}) and is never read-only: it is still decided on, never skipped.
 */
public final class SqlAnalyzer {

    /**
     * One statement as policy sees it.
     *
     * @param type the statement's kind, upper case: SELECT, INSERT, DROP, SET, COPY … or {@link #UNKNOWN}
     * @param tables every table the statement names (reads and writes)
     * @param hasWhere whether a WHERE clause bounds it
     * @param text the statement's exact text
     * @param offset where it starts in the client's string
     * @param reads base tables read (a CTE's name is not a table), as written, folded
     * @param writes tables written, created, dropped or locked
     * @param calls functions called, as written: {@code setval}, {@code pg_catalog.setval}, names folded as
     *     PostgreSQL folds them
     * @param structurallyReadOnly no write by the syntax alone; true exactly when {@code notReadOnly} is empty
     * @param notReadOnly short reasons why not: "data-modifying CTE", "SELECT INTO", "FOR UPDATE", "INSERT",
     *     {@link #UNPARSEABLE} …
     * @param settings run-time settings a SET, RESET, BEGIN … READ WRITE or SET SESSION CHARACTERISTICS changes,
     *     lower case ({@code role}, {@code client_encoding}, {@code default_transaction_read_only}, {@code all})
     * @param predicateColumns column names referenced in WHERE, HAVING, JOIN ON/USING, ORDER BY and FILTER
     * @param outputs one lineage per result column (select-list item) of a query, RETURNING list, COPY TO or
     *     query of DECLARE/PREPARE/COPY; null when the statement returns no rows the analysis could walk
     * @param aliases what each FROM name (alias or table) stands for; a name bound twice keeps its first binding
     * @param referencedColumns every column referenced anywhere, resolved as in {@link OutputLineage}; a
     *     whole-row reference is {@code table.*}
     */
    public record StatementInfo(
            String type,
            List<String> tables,
            boolean hasWhere,
            String text,
            int offset,
            List<String> reads,
            List<String> writes,
            List<String> calls,
            boolean structurallyReadOnly,
            List<String> notReadOnly,
            List<String> settings,
            List<String> predicateColumns,
            List<OutputLineage> outputs,
            Map<String, FromSource> aliases,
            List<ColumnRef> referencedColumns) {

        public StatementInfo {
            if (structurallyReadOnly != notReadOnly.isEmpty()) {
                throw new IllegalArgumentException("structurallyReadOnly must match notReadOnly: " + notReadOnly);
            }
        }

        /** A statement the proxy could not analyse: decided as UNKNOWN, never read-only. */
        public static StatementInfo unknown(String text, int offset) {
            return new StatementInfo(
                    UNKNOWN,
                    List.of(),
                    false,
                    text,
                    offset,
                    List.of(),
                    List.of(),
                    List.of(),
                    false,
                    List.of(UNPARSEABLE),
                    List.of(),
                    List.of(),
                    null,
                    Map.of(),
                    List.of());
        }

        /** The same analysis for another text of the same shape at {@code offset} (an analysis cache hit). */
        public StatementInfo at(String otherText, int otherOffset) {
            return new StatementInfo(
                    type,
                    tables,
                    hasWhere,
                    otherText,
                    otherOffset,
                    reads,
                    writes,
                    calls,
                    structurallyReadOnly,
                    notReadOnly,
                    settings,
                    predicateColumns,
                    outputs,
                    aliases,
                    referencedColumns);
        }

        /**
         * Whether this analysis holds for every text of the same shape: only when no literal value went
         * into it (a {@code set_config} name, an EXPLAIN option, a utility statement's argument).
         */
        public boolean shapeIndependent() {
            return switch (type) {
                case "SELECT", "INSERT", "UPDATE", "DELETE" ->
                    settings.isEmpty() && calls.stream().noneMatch(c -> c.endsWith("set_config"));
                default -> false;
            };
        }

        /**
         * Read-only by its syntax and by every function it calls: each is IMMUTABLE or STABLE in the target's
         * catalog, or one of a few pg_catalog volatile functions with no side effect (random, clock_timestamp
         * …). UNKNOWN and VOLATILE fail, so a catalog that knows nothing makes every call fail.
         */
        public boolean readOnly(FunctionVolatility catalog) {
            if (!structurallyReadOnly) {
                return false;
            }
            for (String c : calls) {
                if (!Functions.readOnly(c, catalog)) {
                    return false;
                }
            }
            return true;
        }
    }

    public static final String UNKNOWN = "UNKNOWN";

    /** The reason given for text the analysis could not read. */
    public static final String UNPARSEABLE = "unparseable";

    /** Statements inside statements (EXPLAIN ANALYZE PREPARE …) are followed this deep, then refused. */
    private static final int MAX_NESTING = 4;

    private static final long PARSE_TIMEOUT_MS = 2000;

    /** First keywords of PostgreSQL statements (gram.y {@code stmt}): the type of a statement not parsed. */
    private static final Set<String> STATEMENT_KEYWORDS = Set.of(
            "ABORT",
            "ALTER",
            "ANALYZE",
            "ANALYSE",
            "BEGIN",
            "CALL",
            "CHECKPOINT",
            "CLOSE",
            "CLUSTER",
            "COMMENT",
            "COMMIT",
            "COPY",
            "CREATE",
            "DEALLOCATE",
            "DECLARE",
            "DELETE",
            "DISCARD",
            "DO",
            "DROP",
            "END",
            "EXECUTE",
            "EXPLAIN",
            "FETCH",
            "GRANT",
            "IMPORT",
            "INSERT",
            "LISTEN",
            "LOAD",
            "LOCK",
            "MERGE",
            "MOVE",
            "NOTIFY",
            "PREPARE",
            "REASSIGN",
            "REFRESH",
            "REINDEX",
            "RELEASE",
            "RESET",
            "REVOKE",
            "ROLLBACK",
            "SAVEPOINT",
            "SECURITY",
            "SELECT",
            "SET",
            "SHOW",
            "START",
            "TABLE",
            "TRUNCATE",
            "UNLISTEN",
            "UPDATE",
            "VACUUM",
            "VALUES",
            "WITH");

    /**
     * Keywords that can only make a statement write or lock. A statement the tree calls read-only that holds
     * one of them as a keyword token of our lexer is not read-only: JSqlParser and PostgreSQL may read the
     * same text differently. Quoted identifiers, strings, column labels after AS and names after a dot are
     * not keywords.
     */
    private static final Set<String> WRITE_KEYWORDS = Set.of(
            "INSERT",
            "UPDATE",
            "DELETE",
            "MERGE",
            "INTO",
            "COPY",
            "CALL",
            "DO",
            "EXECUTE",
            "LOCK",
            "NOTIFY",
            "SHARE",
            "CREATE",
            "ALTER",
            "DROP",
            "TRUNCATE",
            "GRANT",
            "REVOKE",
            "PREPARE",
            "VACUUM");

    /**
     * JSqlParser's timeout runs the parse on an executor; without one of ours it makes a thread per call that
     * is never shut down. Daemon threads, dropped after a minute idle.
     */
    private static final ExecutorService PARSER_THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sql-analyzer-parse");
        t.setDaemon(true);
        return t;
    });

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
            out.add(analyzeOne(part.text(), part.offset(), standardConformingStrings));
        }
        return out;
    }

    StatementInfo analyzeOne(String text) {
        return analyzeOne(text, 0, true);
    }

    /** One statement (no top-level semicolon) as PostgreSQL would receive it in one Parse. */
    public StatementInfo analyzeOne(String text, int offset, boolean standardConformingStrings) {
        Facts f;
        if (text.length() > maxParseLength) {
            f = new Facts();
            f.notReadOnly.add(UNPARSEABLE);
        } else {
            try {
                f = facts(text, standardConformingStrings, 0);
            } catch (StackOverflowError | RuntimeException e) {
                f = new Facts(); // a tree too deep or a walk that broke: fail closed
                f.notReadOnly.add(UNPARSEABLE);
            }
        }
        Set<String> tables = new LinkedHashSet<>(f.tables);
        tables.addAll(f.reads);
        tables.addAll(f.writes);
        return new StatementInfo(
                f.type,
                List.copyOf(tables),
                f.hasWhere,
                text,
                offset,
                List.copyOf(f.reads),
                List.copyOf(f.writes),
                List.copyOf(f.calls),
                f.notReadOnly.isEmpty(),
                List.copyOf(f.notReadOnly),
                List.copyOf(f.settings),
                List.copyOf(f.predicateColumns),
                f.outputs,
                Map.copyOf(f.aliases),
                List.copyOf(f.referencedColumns));
    }

    private Facts facts(String text, boolean scs, int depth) {
        Facts f = new Facts();
        String clean = withoutComments(text, scs);
        Scan scan = SqlTokens.scan(clean, scs);
        List<Token> tokens = scan.tokens();
        if (tokens.isEmpty() || depth > MAX_NESTING) {
            f.notReadOnly.add(UNPARSEABLE);
            return f;
        }
        if (scan.unterminated()) {
            f.notReadOnly.add(UNPARSEABLE);
        }
        Token first = tokens.get(0);
        String head = first.kind() == Kind.WORD ? SqlTokens.upper(first.value()) : null;
        if (head != null && PgUtility.HEADS.contains(head)) {
            PgUtility.analyze(tokens, clean, f, inner -> facts(inner, scs, depth + 1));
        } else {
            parsed(clean, head, tokens, f);
        }
        return f;
    }

    /** Comments as PostgreSQL's scanner sees them, each replaced by one space, so JSqlParser never reads one. */
    private static String withoutComments(String sql, boolean scs) {
        return SqlLexer.withoutComments(sql, scs);
    }

    private static void parsed(String clean, String head, List<Token> tokens, Facts f) {
        Statement st;
        try {
            // parseStatements, not parse: parse stops at a semicolon JSqlParser sees and ignores the rest
            Statements all =
                    CCJSqlParserUtil.parseStatements(clean, PARSER_THREADS, p -> p.withTimeOut(PARSE_TIMEOUT_MS));
            if (all == null || all.size() != 1 || all.get(0) instanceof UnsupportedStatement) {
                throw new IllegalArgumentException("not one statement");
            }
            st = all.get(0);
        } catch (Exception | StackOverflowError e) {
            f.type = head != null && STATEMENT_KEYWORDS.contains(head) ? head : UNKNOWN;
            f.notReadOnly.add(UNPARSEABLE);
            if ("DROP".equals(head)) {
                dropped(tokens, f);
            }
            if ("ALTER".equals(head)) {
                writeKeywords(tokens, f); // ALTER … DROP stays visible to policy as "keyword DROP"
            }
            return;
        }
        f.type = type(st);
        f.hasWhere = hasWhere(st);
        f.tables.addAll(tables(st));
        if (st instanceof CreateTable c) {
            f.writes.add(Effects.name(c.getTable()));
        } else if (!(st instanceof Select
                || st instanceof Insert
                || st instanceof Update
                || st instanceof Delete
                || st instanceof Merge)) {
            f.writes.addAll(f.tables); // DROP, TRUNCATE, ALTER, CREATE VIEW …: what they name they change
        }
        Effects.collect(st, f);
        Lineage.collect(st, f);
        if (!(st instanceof Select)) {
            f.notReadOnly.add(st instanceof CreateTable c && c.getSelect() != null ? "CREATE TABLE AS" : f.type);
            if ("ALTER".equals(f.type)) {
                writeKeywords(tokens, f); // ALTER … DROP stays visible to policy as "keyword DROP"
            }
        } else if (f.notReadOnly.isEmpty()) {
            writeKeywords(tokens, f);
        }
    }

    private static void writeKeywords(List<Token> tokens, Facts f) {
        for (int i = 0; i < tokens.size(); i++) {
            Token tk = tokens.get(i);
            if (tk.kind() != Kind.WORD || !WRITE_KEYWORDS.contains(SqlTokens.upper(tk.value()))) {
                continue;
            }
            Token before = i > 0 ? tokens.get(i - 1) : null;
            if (before != null && (before.isSymbol(".") || before.isWord("AS"))) {
                continue; // t.update, AS update: names, not keywords
            }
            f.notReadOnly.add("keyword " + SqlTokens.upper(tk.value()));
        }
    }

    /** DROP … name, name: what an unparsed DROP names, so policy sees its targets. */
    private static void dropped(List<Token> tokens, Facts f) {
        int i = 1;
        while (i < tokens.size() && tokens.get(i).kind() == Kind.WORD) {
            i++; // TABLE, MATERIALIZED VIEW, IF EXISTS, CONCURRENTLY …
        }
        i = Math.max(1, i - 1);
        StringBuilder name = new StringBuilder();
        for (; i < tokens.size(); i++) {
            Token tk = tokens.get(i);
            if (tk.isName() && !tk.isWord("CASCADE") && !tk.isWord("RESTRICT")) {
                name.append(tk.value());
            } else if (tk.isSymbol(".")) {
                name.append('.');
            } else if (tk.isSymbol(",")) {
                f.writes.add(name.toString());
                name.setLength(0);
            }
        }
        if (!name.isEmpty()) {
            f.writes.add(name.toString());
        }
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
        for (String verb : new String[] {"Create", "Alter", "Drop", "Grant", "Revoke", "Comment", "Refresh"}) {
            if (name.startsWith(verb)) {
                return verb.toUpperCase(Locale.ROOT);
            }
        }
        return name.replace("Statement", "").toUpperCase(Locale.ROOT);
    }

    static List<String> tables(Statement st) {
        Set<String> tables = new LinkedHashSet<>();
        if (st instanceof Select || st instanceof Insert || st instanceof Update || st instanceof Delete) {
            return List.of(); // the tree walk names these precisely, CTE names excluded
        }
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
            out.add(Names.foldQualified(t));
        }
        return List.copyOf(out);
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
