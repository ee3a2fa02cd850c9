package dev.portcullis.proxy.pg.catalog;

import dev.portcullis.proxy.pg.sql.FunctionVolatility;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An immutable snapshot of what the target's catalog says, as one role with one search_path sees it: relations
 * (columns by attnum, and for views the relations they read), functions (the strictest volatility over each name's
 * overloads) and the search_path. Loaded with {@link #LOAD_SQL} on the session's own backend connection right after
 * login, built with {@link #fromRows}. Masking resolves RowDescription's (table OID, attnum) and the statement's
 * names here; the read-only classification asks it for {@link FunctionVolatility}.
 */
public final class PgCatalog implements FunctionVolatility {

    /** The one query to run (simple protocol) on the session's backend connection; rows go to {@link #fromRows}. */
    public static final String LOAD_SQL = CatalogRows.LOAD_SQL;

    /** Knows nothing: every relation and function is unknown, so masking is strictest and every call volatile. */
    public static final PgCatalog EMPTY = new PgCatalog(List.of(), Map.of(), Map.of());

    /**
     * Functions of {@code pg_catalog} that run SQL given as text or read a whole relation by name: what they return
     * has no lineage a parser can see (their volatility is still the catalog's).
     */
    public static final Set<String> SQL_TEXT_FUNCTIONS = CatalogRows.SQL_TEXT_FUNCTIONS;

    /** The first OID of objects created after initdb (PostgreSQL's FirstNormalObjectId). */
    static final long FIRST_NORMAL_OID = 16384;

    private final List<String> searchPath;
    private final Map<Long, Relation> byOid;
    /** schema → name → relation. */
    private final Map<String, Map<String, Relation>> byName;
    /** schema → function name → strictest volatility. */
    private final Map<String, Map<String, Volatility>> functions;

    private PgCatalog(
            List<String> searchPath, Map<Long, Relation> byOid, Map<String, Map<String, Volatility>> functions) {
        this.searchPath = List.copyOf(searchPath);
        this.byOid = Map.copyOf(byOid);
        Map<String, Map<String, Relation>> names = new HashMap<>();
        for (Relation r : byOid.values()) {
            names.computeIfAbsent(r.schema(), k -> new HashMap<>()).put(r.name(), r);
        }
        this.byName = names;
        this.functions = functions;
    }

    /**
     * Builds a snapshot from the rows of {@link #LOAD_SQL}, each the six column texts of one DataRow (null for SQL
     * NULL). Rows of an unknown kind are ignored (a newer query against an older builder); malformed rows throw
     * {@link IllegalArgumentException}, and the session then works with {@link #EMPTY} (strictest masking).
     */
    public static PgCatalog fromRows(List<String[]> rows) {
        TreeMap<Integer, String> path = new TreeMap<>();
        Map<Long, String[]> relations = new HashMap<>();
        Map<Long, Set<Long>> reads = new HashMap<>();
        Set<Long> opaque = new HashSet<>();
        Map<String, Map<String, Volatility>> functions = new HashMap<>();
        for (String[] row : rows) {
            if (row == null || row.length < CatalogRows.COLUMNS || row[0] == null) {
                throw new IllegalArgumentException("catalog row without its six columns");
            }
            switch (row[0]) {
                case "p" -> path.put(Integer.parseInt(row[1]), required(row[2]));
                case "r" -> relations.put(Long.parseLong(row[1]), row);
                case "d" ->
                    reads.computeIfAbsent(Long.parseLong(row[1]), k -> new HashSet<>())
                            .add(Long.parseLong(row[2]));
                case "g" -> {
                    boolean userObject = Long.parseLong(row[3]) >= FIRST_NORMAL_OID;
                    if (userObject || (row[4] != null && SQL_TEXT_FUNCTIONS.contains(row[4]))) {
                        opaque.add(Long.parseLong(row[1]));
                    }
                }
                case "f" -> {
                    Volatility v = volatility(row[2]);
                    Map<String, Volatility> schema = functions.computeIfAbsent(required(row[1]), k -> new HashMap<>());
                    for (String name : CatalogRows.parseArray(row[3])) {
                        schema.merge(name, v, PgCatalog::stricter);
                    }
                }
                default -> {
                    // a kind this builder does not know: ignored
                }
            }
        }
        Map<Long, Relation> byOid = new HashMap<>();
        for (Map.Entry<Long, String[]> e : relations.entrySet()) {
            String[] r = e.getValue();
            String kind = required(r[4]);
            List<String> columns = r[5] == null ? List.of() : CatalogRows.parseArray(r[5]);
            long oid = e.getKey();
            Set<Long> closure = closure(oid, reads);
            boolean viewOpaque = opaque.contains(oid) || closure.stream().anyMatch(opaque::contains);
            byOid.put(
                    oid,
                    new Relation(oid, required(r[2]), required(r[3]), kind.charAt(0), columns, closure, viewOpaque));
        }
        Map<String, Map<String, Volatility>> frozen = new HashMap<>();
        functions.forEach((k, v) -> frozen.put(k, Map.copyOf(v)));
        return new PgCatalog(new ArrayList<>(path.values()), byOid, Map.copyOf(frozen));
    }

    private static Set<Long> closure(long view, Map<Long, Set<Long>> reads) {
        Set<Long> seen = new LinkedHashSet<>();
        Deque<Long> todo = new ArrayDeque<>(reads.getOrDefault(view, Set.of()));
        while (!todo.isEmpty()) {
            long next = todo.pop();
            if (next != view && seen.add(next)) {
                todo.addAll(reads.getOrDefault(next, Set.of()));
            }
        }
        return seen;
    }

    private static String required(String s) {
        if (s == null) {
            throw new IllegalArgumentException("catalog row with a missing value");
        }
        return s;
    }

    private static Volatility volatility(String provolatile) {
        return switch (required(provolatile)) {
            case "i" -> Volatility.IMMUTABLE;
            case "s" -> Volatility.STABLE;
            case "v" -> Volatility.VOLATILE;
            default -> throw new IllegalArgumentException("unknown provolatile");
        };
    }

    /** The stricter of two volatilities: UNKNOWN > VOLATILE > STABLE > IMMUTABLE. */
    public static Volatility stricter(Volatility a, Volatility b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The same catalog seen with another search_path (after a {@code SET search_path} the session allowed). */
    public PgCatalog withSearchPath(List<String> schemas) {
        return new PgCatalog(schemas, byOid, functions);
    }

    /** The schemas searched for unqualified names, in order, as {@code current_schemas(true)} gave them. */
    public List<String> searchPath() {
        return searchPath;
    }

    /** How many relations the snapshot holds. */
    public int relationCount() {
        return byOid.size();
    }

    /** How many (schema, function name) pairs the snapshot holds. */
    public int functionCount() {
        return functions.values().stream().mapToInt(Map::size).sum();
    }

    /** The relation with this OID (RowDescription's table OID, taken as unsigned). */
    public Optional<Relation> relation(int tableOid) {
        return Optional.ofNullable(byOid.get(Integer.toUnsignedLong(tableOid)));
    }

    /** The relation with this OID. */
    public Optional<Relation> relation(long oid) {
        return Optional.ofNullable(byOid.get(oid));
    }

    /**
     * Resolves a relation name as PostgreSQL would: in {@code schema} when qualified, else along the search_path (the
     * session's temporary schema first when it has one, as {@code current_schemas} lists it). Names are tried as
     * given, then folded to lower case (a parser that kept an unquoted name's case).
     */
    public Optional<Relation> relation(String schema, String name) {
        if (name == null) {
            return Optional.empty();
        }
        Optional<Relation> r = find(schema, name);
        String lower = name.toLowerCase(Locale.ROOT);
        if (r.isEmpty() && !lower.equals(name)) {
            r = find(schema == null ? null : schema, lower);
        }
        if (r.isEmpty() && schema != null && !schema.toLowerCase(Locale.ROOT).equals(schema)) {
            r = find(schema.toLowerCase(Locale.ROOT), lower);
        }
        return r;
    }

    /** Resolves {@code name} or {@code schema.name} (split at the last dot, as the analyzer writes qualified names). */
    public Optional<Relation> relation(String qualifiedName) {
        if (qualifiedName == null) {
            return Optional.empty();
        }
        int dot = qualifiedName.lastIndexOf('.');
        return dot < 0
                ? relation(null, qualifiedName)
                : relation(qualifiedName.substring(0, dot), qualifiedName.substring(dot + 1));
    }

    private Optional<Relation> find(String schema, String name) {
        if (schema != null) {
            return Optional.ofNullable(byName.getOrDefault(schema, Map.of()).get(name));
        }
        for (String s : searchPath) {
            Relation r = byName.getOrDefault(s, Map.of()).get(name);
            if (r != null) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * The strictest volatility over every overload of the function visible under that name: in {@code schema} when
     * qualified, else in every search_path schema ({@code pg_catalog} first when the path does not name it; the
     * temporary schema is never searched for functions, as in PostgreSQL). Unknown is {@link Volatility#UNKNOWN}.
     */
    @Override
    public Volatility of(String schema, String name) {
        if (name == null) {
            return Volatility.UNKNOWN;
        }
        Volatility v = lookup(schema, name);
        if (v == Volatility.UNKNOWN && !name.toLowerCase(Locale.ROOT).equals(name)) {
            v = lookup(schema == null ? null : schema.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
        }
        return v;
    }

    private Volatility lookup(String schema, String name) {
        if (schema != null) {
            Volatility v = functions.getOrDefault(schema, Map.of()).get(name);
            return v == null ? Volatility.UNKNOWN : v;
        }
        Volatility found = null;
        for (String s : functionPath()) {
            Volatility v = functions.getOrDefault(s, Map.of()).get(name);
            if (v != null) {
                found = found == null ? v : stricter(found, v);
            }
        }
        return found == null ? Volatility.UNKNOWN : found;
    }

    /**
     * Every schema holding a function of that name the call could resolve to: {@code schema} when qualified and it
     * holds one, else each search_path schema that does (PostgreSQL picks among them by argument types, so a caller
     * that must be sure takes them all). Empty when the name is unknown.
     */
    public List<String> functionSchemas(String schema, String name) {
        if (name == null) {
            return List.of();
        }
        List<String> candidates = schema != null ? List.of(schema) : functionPath();
        List<String> found = new ArrayList<>();
        for (String s : candidates) {
            Map<String, Volatility> fs = functions.getOrDefault(s, Map.of());
            if (fs.containsKey(name) || fs.containsKey(name.toLowerCase(Locale.ROOT))) {
                found.add(s);
            }
        }
        return List.copyOf(found);
    }

    private List<String> functionPath() {
        List<String> path = new ArrayList<>(searchPath.size() + 1);
        if (!searchPath.contains("pg_catalog")) {
            path.add("pg_catalog");
        }
        for (String s : searchPath) {
            if (!s.startsWith("pg_temp")) {
                path.add(s);
            }
        }
        return Collections.unmodifiableList(path);
    }

    @Override
    public String toString() {
        return "PgCatalog[" + byOid.size() + " relations, " + functionCount() + " functions, search_path " + searchPath
                + "]";
    }
}
