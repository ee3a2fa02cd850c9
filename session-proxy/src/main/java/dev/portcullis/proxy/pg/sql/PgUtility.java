package dev.portcullis.proxy.pg.sql;

import dev.portcullis.proxy.pg.sql.SqlTokens.Kind;
import dev.portcullis.proxy.pg.sql.SqlTokens.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * PostgreSQL's utility statements that JSqlParser does not read (or reads as another dialect's): their heads
 * parsed from the token stream after gram.y, their inner statement (DECLARE … FOR, PREPARE … AS,
 * COPY (…) TO, EXPLAIN) handed back to {@link SqlAnalyzer}. Anything off the grammar is
 * {@link SqlAnalyzer#UNPARSEABLE}: never read-only.
 */
final class PgUtility {

    /** First keywords handled here. */
    static final Set<String> HEADS = Set.of(
            "BEGIN",
            "START",
            "COMMIT",
            "END",
            "ROLLBACK",
            "ABORT",
            "SAVEPOINT",
            "RELEASE",
            "SET",
            "RESET",
            "SHOW",
            "LISTEN",
            "UNLISTEN",
            "NOTIFY",
            "LOCK",
            "DECLARE",
            "PREPARE",
            "EXECUTE",
            "DEALLOCATE",
            "DISCARD",
            "FETCH",
            "MOVE",
            "CLOSE",
            "COPY",
            "EXPLAIN",
            "DO",
            "CALL",
            "VACUUM",
            "CHECKPOINT",
            "LOAD",
            "CLUSTER",
            "REINDEX",
            "REASSIGN",
            "SECURITY",
            "IMPORT");

    /**
     * Settings whose change turns read-only off, changes who the session is, or changes how the proxy's
     * lexer must cut statements: changing one is not read-only.
     */
    private static final Set<String> GUARDS_READ_ONLY = Set.of(
            "role",
            "session_authorization",
            "transaction_read_only",
            "default_transaction_read_only",
            "client_encoding",
            "standard_conforming_strings",
            "backslash_quote",
            "escape_string_warning");

    private static final Set<String> TRUE_WORDS = Set.of("on", "true", "yes", "1");
    private static final Set<String> FALSE_WORDS = Set.of("off", "false", "no", "0");

    private final List<Token> t;
    private final String text;
    private final Facts f;
    private final Function<String, Facts> inner;

    private PgUtility(List<Token> tokens, String text, Facts facts, Function<String, Facts> inner) {
        this.t = tokens;
        this.text = text;
        this.f = facts;
        this.inner = inner;
    }

    /**
     * @param text the statement without comments; {@code tokens} are its tokens
     * @param inner analyses an inner statement's text
     */
    static void analyze(List<Token> tokens, String text, Facts facts, Function<String, Facts> inner) {
        new PgUtility(tokens, text, facts, inner).run();
    }

    private void run() {
        String head = SqlTokens.upper(t.get(0).value());
        f.type = head;
        boolean ok = switch (head) {
            case "BEGIN" -> modes(skip(1, "WORK", "TRANSACTION"), false);
            case "START" -> word(1, "TRANSACTION") && modes(2, false);
            case "COMMIT", "END", "ROLLBACK", "ABORT" -> endTransaction();
            case "SAVEPOINT", "RELEASE", "SHOW", "LISTEN", "UNLISTEN", "FETCH", "MOVE", "CLOSE", "DEALLOCATE" -> true;
            case "SET" -> set();
            case "RESET" -> reset();
            case "DISCARD" -> discard();
            case "LOCK" -> lock();
            case "DECLARE" -> declare();
            case "PREPARE" -> prepare();
            case "COPY" -> copy();
            case "EXPLAIN" -> explain();
            case "CALL" -> call();
            case "NOTIFY", "EXECUTE", "DO" -> reason(head);
            default -> reason(head); // VACUUM, CHECKPOINT, LOAD, CLUSTER, REINDEX … change the database
        };
        if (!ok) {
            f.notReadOnly.add(SqlAnalyzer.UNPARSEABLE);
        }
    }

    // --- transactions

    private boolean endTransaction() {
        if (word(1, "PREPARED") || SqlTokens.upper(t.get(0).value()).equals("PREPARE")) {
            return reason("two-phase commit");
        }
        return true;
    }

    /** gram.y {@code transaction_mode_list}; {@code session}: SET SESSION CHARACTERISTICS (the defaults). */
    private boolean modes(int i, boolean session) {
        String prefix = session ? "default_transaction_" : "transaction_";
        while (i < t.size()) {
            if (t.get(i).isSymbol(",")) {
                i++;
            } else if (word(i, "ISOLATION") && word(i + 1, "LEVEL")) {
                f.settings.add(prefix + "isolation");
                i += 2;
                if (word(i, "SERIALIZABLE")) {
                    i++;
                } else if (word(i, "REPEATABLE") && word(i + 1, "READ")
                        || word(i, "READ") && (word(i + 1, "COMMITTED") || word(i + 1, "UNCOMMITTED"))) {
                    i += 2;
                } else {
                    return false;
                }
            } else if (word(i, "READ") && word(i + 1, "ONLY")) {
                i += 2; // only tightens: not a change policy needs to see
            } else if (word(i, "READ") && word(i + 1, "WRITE")) {
                f.settings.add(prefix + "read_only");
                f.notReadOnly.add("READ WRITE transaction");
                i += 2;
            } else if (word(i, "DEFERRABLE") || word(i, "NOT") && word(i + 1, "DEFERRABLE")) {
                f.settings.add(prefix + "deferrable");
                i += word(i, "NOT") ? 2 : 1;
            } else {
                return false;
            }
        }
        return true;
    }

    // --- settings

    private boolean set() {
        int i = 1;
        if ((word(i, "SESSION") || word(i, "LOCAL"))
                && i + 1 < t.size()
                && !t.get(i + 1).isSymbol(".")
                && !word(i + 1, "TO")
                && !t.get(i + 1).isSymbol("=")
                && !word(i + 1, "AUTHORIZATION")
                && !word(i + 1, "CHARACTERISTICS")) {
            i++;
        }
        if (word(i, "TRANSACTION") && word(i + 1, "SNAPSHOT")) {
            return setting("transaction_snapshot");
        }
        if (word(i, "TRANSACTION")) {
            return modes(i + 1, false);
        }
        if (word(i, "SESSION") && word(i + 1, "CHARACTERISTICS") && word(i + 2, "AS") && word(i + 3, "TRANSACTION")) {
            f.settings.add("default_transaction_characteristics");
            return modes(i + 4, true);
        }
        if (word(i, "SESSION") && word(i + 1, "AUTHORIZATION")) {
            return setting("session_authorization");
        }
        if (word(i, "TIME") && word(i + 1, "ZONE")) {
            return setting("timezone");
        }
        if (word(i, "NAMES")) {
            return setting("client_encoding");
        }
        if (word(i, "XML") && word(i + 1, "OPTION")) {
            return setting("xmloption");
        }
        if (word(i, "CONSTRAINTS")) {
            return true;
        }
        if (word(i, "SCHEMA")) {
            setting("search_path");
            return searchPath(i + 1);
        }
        if (word(i, "ROLE") && !t.get(i + 1 < t.size() ? i + 1 : i).isSymbol("=") && !word(i + 1, "TO")) {
            return setting("role");
        }
        StringBuilder name = new StringBuilder();
        int j = qualifiedName(i, name);
        if (j < 0) {
            return false;
        }
        // GUC names are case-insensitive, quoted or not
        String guc = name.toString().toLowerCase(Locale.ROOT);
        if (word(j, "FROM") && word(j + 1, "CURRENT")) {
            return setting(guc);
        }
        if (!(word(j, "TO") || j < t.size() && t.get(j).isSymbol("="))) {
            return false;
        }
        f.settings.add(guc);
        List<String> values = values(j + 1);
        if (GUARDS_READ_ONLY.contains(guc)) {
            boolean tightens = guc.endsWith("read_only") && values.size() == 1 && TRUE_WORDS.contains(values.get(0));
            if (!tightens) {
                f.notReadOnly.add("sets " + guc);
            } else {
                f.settings.remove(guc);
            }
        }
        if (guc.equals("search_path")) {
            return searchPath(j + 1);
        }
        return true;
    }

    private boolean setting(String name) {
        f.settings.add(name);
        if (GUARDS_READ_ONLY.contains(name)) {
            f.notReadOnly.add("sets " + name);
        }
        return true;
    }

    /**
     * Unqualified function names resolve in pg_catalog first only while search_path does not list pg_catalog
     * after another schema; the read-only verdict on functions (the catalog's and the harmless-volatile list)
     * assumes it does not.
     */
    private boolean searchPath(int i) {
        List<String> schemas = new ArrayList<>();
        for (String v : values(i)) {
            for (String part : v.split(",")) {
                schemas.add(part.strip().replace("\"", "").toLowerCase(Locale.ROOT));
            }
        }
        if (schemas.indexOf("pg_catalog") > 0) {
            f.notReadOnly.add("search_path puts pg_catalog after another schema");
        }
        return true;
    }

    /** The comma-separated values from token {@code i}: names, strings (unquoted) and numbers, lower-cased. */
    private List<String> values(int i) {
        List<String> out = new ArrayList<>();
        for (; i < t.size(); i++) {
            Token v = t.get(i);
            if (v.isSymbol(",")) {
                continue;
            }
            String s = v.value();
            if (v.kind() == Kind.STRING && s.startsWith("'") && s.endsWith("'") && s.length() >= 2) {
                s = s.substring(1, s.length() - 1);
            }
            out.add(s.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private boolean reset() {
        if (word(1, "ALL")) {
            f.settings.add("all");
            return reason("RESET ALL");
        }
        if (word(1, "TIME") && word(2, "ZONE")) {
            return setting("timezone");
        }
        if (word(1, "TRANSACTION") && word(2, "ISOLATION") && word(3, "LEVEL")) {
            return setting("transaction_isolation");
        }
        if (word(1, "SESSION") && word(2, "AUTHORIZATION")) {
            return setting("session_authorization");
        }
        StringBuilder name = new StringBuilder();
        int j = qualifiedName(1, name);
        if (j != t.size()) {
            return false;
        }
        return setting(name.toString().toLowerCase(Locale.ROOT));
    }

    private boolean discard() {
        if (word(1, "ALL")) {
            f.settings.add("all"); // DISCARD ALL includes RESET ALL and drops temporary tables
            return reason("DISCARD ALL");
        }
        if (word(1, "TEMP") || word(1, "TEMPORARY")) {
            return reason("DISCARD TEMP"); // drops temporary tables: catalog writes
        }
        return word(1, "PLANS") || word(1, "SEQUENCES");
    }

    // --- locks, cursors, prepared statements

    private boolean lock() {
        f.notReadOnly.add("LOCK");
        int i = skip(1, "TABLE");
        while (i < t.size() && !word(i, "IN") && !word(i, "NOWAIT")) {
            i = skip(i, "ONLY");
            StringBuilder name = new StringBuilder();
            i = qualifiedName(i, name);
            if (i < 0) {
                return false;
            }
            // a lock is no write, but it holds others off the table: counted with the tables written
            f.writes.add(name.toString());
            if (i < t.size() && t.get(i).isSymbol("*")) {
                i++;
            }
            if (i < t.size() && t.get(i).isSymbol(",")) {
                i++;
            }
        }
        return true;
    }

    private boolean declare() {
        for (int i = 2; i < t.size(); i++) {
            if (word(i, "CURSOR")) {
                int j = i + 1;
                if ((word(j, "WITH") || word(j, "WITHOUT")) && word(j + 1, "HOLD")) {
                    j += 2;
                }
                return word(j, "FOR") && nested(j + 1, true);
            }
        }
        return false;
    }

    private boolean prepare() {
        if (word(1, "TRANSACTION")) {
            return reason("two-phase commit");
        }
        int i = 2;
        if (i < t.size() && t.get(i).isSymbol("(")) {
            i = closing(i) + 1;
            if (i <= 0) {
                return false;
            }
        }
        return word(i, "AS") && nested(i + 1, true);
    }

    private boolean call() {
        f.notReadOnly.add("CALL");
        StringBuilder name = new StringBuilder();
        int i = qualifiedName(1, name);
        if (i < 0) {
            return false;
        }
        f.calls.add(name.toString());
        return i < t.size() && t.get(i).isSymbol("(");
    }

    // --- COPY and EXPLAIN

    private boolean copy() {
        int i = skip(1, "BINARY");
        String table = null;
        List<String> columns = new ArrayList<>();
        if (i < t.size() && t.get(i).isSymbol("(")) {
            int close = closing(i);
            if (close < 0 || !nested(i + 1, close, true)) {
                return false;
            }
            i = close + 1;
        } else {
            StringBuilder name = new StringBuilder();
            i = qualifiedName(i, name);
            if (i < 0) {
                return false;
            }
            table = name.toString();
            f.aliases.putIfAbsent(table, new FromSource(FromSource.Kind.TABLE, table));
            if (i < t.size() && t.get(i).isSymbol("(")) {
                int close = closing(i);
                for (int j = i + 1; j < close; j++) {
                    if (t.get(j).isName()) {
                        columns.add(t.get(j).value());
                    }
                }
                i = close + 1;
                if (i <= 0) {
                    return false;
                }
            }
        }
        boolean from = word(i, "FROM");
        if (!from && !word(i, "TO")) {
            return false;
        }
        i++;
        if (word(i, "PROGRAM")) {
            f.notReadOnly.add("COPY PROGRAM");
        } else if (i < t.size() && t.get(i).kind() == Kind.STRING) {
            f.notReadOnly.add("COPY with a server file");
        } else if (!word(i, from ? "STDIN" : "STDOUT")) {
            return false;
        }
        if (table != null && from) {
            f.writes.add(table);
            f.notReadOnly.add("COPY FROM");
        } else if (table != null) {
            f.reads.add(table);
            f.outputs = copyOutputs(table, columns);
        } else if (from) {
            return false;
        }
        return true;
    }

    private List<OutputLineage> copyOutputs(String table, List<String> columns) {
        if (columns.isEmpty()) {
            f.referencedColumns.add(new ColumnRef(table, "*"));
            return List.of(new OutputLineage(List.of(), List.of(table), true, false));
        }
        List<OutputLineage> out = new ArrayList<>();
        for (String c : columns) {
            ColumnRef r = new ColumnRef(table, c);
            f.referencedColumns.add(r);
            out.add(new OutputLineage(List.of(r), List.of(), false, false));
        }
        return List.copyOf(out);
    }

    private boolean explain() {
        int i = 1;
        boolean analyze = false;
        if (i < t.size() && t.get(i).isSymbol("(")) {
            int close = closing(i);
            if (close < 0) {
                return false;
            }
            for (int j = i + 1; j < close; j++) {
                if (word(j, "ANALYZE") || word(j, "ANALYSE")) {
                    // defGetBoolean: no value is true; anything but a false word is taken as true (fail closed)
                    boolean off = j + 1 < close && FALSE_WORDS.contains(unquote(t.get(j + 1)));
                    analyze |= !off;
                }
            }
            i = close + 1;
        } else {
            while (word(i, "ANALYZE") || word(i, "ANALYSE") || word(i, "VERBOSE")) {
                analyze |= !word(i, "VERBOSE");
                i++;
            }
        }
        // without ANALYZE the statement is only planned: nothing it would do happens
        return nested(i, analyze);
    }

    private static String unquote(Token v) {
        String s = v.value();
        if (v.kind() == Kind.STRING && s.startsWith("'") && s.endsWith("'") && s.length() >= 2) {
            s = s.substring(1, s.length() - 1);
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private boolean nested(int from, boolean executed) {
        return nested(from, t.size(), executed);
    }

    /** Analyses tokens [from, to) as a statement of its own and takes over what it finds. */
    private boolean nested(int from, int to, boolean executed) {
        if (from >= to) {
            return false;
        }
        int end = to == t.size() ? text.length() : t.get(to).start();
        Facts in = inner.apply(text.substring(t.get(from).start(), end));
        f.absorb(in, executed);
        f.tables.addAll(in.tables);
        return !in.notReadOnly.contains(SqlAnalyzer.UNPARSEABLE);
    }

    // --- token helpers

    private boolean reason(String why) {
        f.notReadOnly.add(why);
        return true;
    }

    private boolean word(int i, String upper) {
        return i < t.size() && t.get(i).isWord(upper);
    }

    private int skip(int i, String... optional) {
        for (String w : optional) {
            if (word(i, w)) {
                return i + 1;
            }
        }
        return i;
    }

    /** Index of the parenthesis closing the one at {@code open}, or -1. */
    private int closing(int open) {
        int depth = 0;
        for (int i = open; i < t.size(); i++) {
            if (t.get(i).isSymbol("(")) {
                depth++;
            } else if (t.get(i).isSymbol(")") && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Reads {@code name(.name)*} from {@code i} into {@code out}; the index after it, or -1. */
    private int qualifiedName(int i, StringBuilder out) {
        if (i >= t.size() || !t.get(i).isName()) {
            return -1;
        }
        out.append(t.get(i).value());
        i++;
        while (i + 1 < t.size() && t.get(i).isSymbol(".") && t.get(i + 1).isName()) {
            out.append('.').append(t.get(i + 1).value());
            i += 2;
        }
        return i;
    }
}
