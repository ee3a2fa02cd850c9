package dev.portcullis.policy.engine;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which literal-bearing parts of the input a compiled condition reads, found by walking its checked CEL syntax
 * tree (never its source text). A decision may be reused for every request of the same shape only when no rule
 * that can apply reads one of them (docs/architecture.md "Policy", ADR 0021).
 *
 * <p>The input is described by a small schema: each field is <em>structural</em> (the same for every request of
 * one statement or request shape: types, tables, identity, connection, session, time, …) or <em>literal</em> (can
 * differ between two requests of one shape: the text, parameters, a command, a path). Fields the schema does not
 * name are literal, so a field added to the input later is safe until it is listed here. Only these uses of an
 * input value read less than all of it:
 * <ul>
 *   <li>a field selection ({@code s.type}) or an index with a constant key reads that part only;
 *   <li>{@code has(x.f)} tests presence, which is structural;
 *   <li>{@code size(list)} reads the number of elements;
 *   <li>iterating a list ({@code statements.exists(s, …)}) binds the variable to an element, iterating a map
 *       binds it to a key (a field name).
 * </ul>
 * Every other use (a whole value compared, converted, passed to a function, a map indexed by a computed key)
 * reads all of it: literal when anything below it is.
 */
public final class LiteralReads {

    /** One part of the input: a leaf (structural or literal), a list of elements, or a map of named fields. */
    sealed interface Node permits Leaf, ListOf, MapOf {}

    record Leaf(boolean literal) implements Node {}

    record ListOf(Node element) implements Node {}

    /** {@code other}: the node of every field not named. */
    record MapOf(Map<String, Node> fields, Node other) implements Node {}

    static final Leaf STRUCTURAL = new Leaf(false);
    static final Leaf LITERAL = new Leaf(true);

    /**
     * The structural fields of a statement. {@code read_only}, {@code not_read_only}, {@code reads}, {@code writes}, {@code calls},
     * {@code settings} and {@code predicate_columns} are the statement analysis of issue 14: names and flags,
     * never values (session-proxy keeps them in its cache key anyway).
     */
    public static final Set<String> STATEMENT_STRUCTURAL = Set.of(
            "type",
            "tables",
            "has_where",
            "read_only",
            "not_read_only",
            "reads",
            "writes",
            "calls",
            "settings",
            "predicate_columns");

    /** The structural fields of {@code input.request} besides {@code statements}. */
    public static final Set<String> REQUEST_STRUCTURAL = Set.of(
            "protocol",
            "kind",
            "method",
            "verb",
            "resource",
            "namespace",
            "subresource",
            "api_group",
            "api_version",
            "resource_request",
            "subsystem",
            "read_only",
            "not_read_only",
            "reads",
            "writes",
            "calls",
            "settings",
            "predicate_columns");

    /** The structural fields of the {@code http} variable ({@code path} is literal). */
    public static final Set<String> HTTP_STRUCTURAL = Set.of("method", "verb", "resource", "namespace", "subresource");

    private static final Map<String, Node> VARIABLES = variables();

    private LiteralReads() {}

    private static Map<String, Node> variables() {
        Map<String, Node> statement = new HashMap<>();
        STATEMENT_STRUCTURAL.forEach(f -> statement.put(f, STRUCTURAL));
        statement.put("text", LITERAL);
        Node statements = new ListOf(new MapOf(Map.copyOf(statement), LITERAL));

        Map<String, Node> request = new HashMap<>();
        REQUEST_STRUCTURAL.forEach(f -> request.put(f, STRUCTURAL));
        request.put("statements", statements);
        // text, parameters, command, path, query, name, host, port: literal, as is every field not named
        Node input = new MapOf(
                Map.of(
                        "identity", STRUCTURAL,
                        "connection", STRUCTURAL,
                        "session", STRUCTURAL,
                        "time", STRUCTURAL,
                        "request", new MapOf(Map.copyOf(request), LITERAL)),
                LITERAL);

        Map<String, Node> http = new HashMap<>();
        HTTP_STRUCTURAL.forEach(f -> http.put(f, STRUCTURAL));

        Map<String, Node> vars = new HashMap<>();
        for (String v : new String[] {
            CelEnvironment.PROTOCOL,
            CelEnvironment.KIND,
            CelEnvironment.AGENT,
            CelEnvironment.CONNECTION,
            CelEnvironment.STATEMENT_TYPES,
            CelEnvironment.TABLES,
            CelEnvironment.GROUPS,
            CelEnvironment.SCOPES,
            CelEnvironment.TAGS,
            CelEnvironment.NOW
        }) {
            vars.put(v, STRUCTURAL);
        }
        vars.put(CelEnvironment.TEXT, LITERAL);
        vars.put(CelEnvironment.COMMAND, LITERAL);
        vars.put(CelEnvironment.STATEMENTS, statements);
        vars.put(CelEnvironment.HTTP, new MapOf(Map.copyOf(http), LITERAL));
        vars.put(CelEnvironment.INPUT, input);
        return Map.copyOf(vars);
    }

    /** The literal-bearing input paths {@code ast} reads (e.g. {@code statements[].text}); empty when none. */
    public static Set<String> of(CelAbstractSyntaxTree ast) {
        Walker w = new Walker();
        w.visit(ast.getExpr(), Map.of());
        return Set.copyOf(w.found);
    }

    /** A part of the input an expression stands for: a printable name and its schema node. */
    private record Path(String name, Node node) {}

    /** A value computed inside the condition (a comprehension's accumulator, an element of a computed list). */
    private static final Path DERIVED = new Path("(computed)", STRUCTURAL);

    private static final class Walker {

        final Set<String> found = new TreeSet<>();

        void visit(CelExpr e, Map<String, Path> scope) {
            Path p = resolve(e, scope);
            if (p != null) {
                readWhole(p);
                visitKeys(e, scope);
                return;
            }
            switch (e.getKind()) {
                case SELECT -> {
                    CelExpr operand = e.select().operand();
                    Path base = e.select().testOnly() ? resolve(operand, scope) : null;
                    if (base != null) {
                        visitKeys(operand, scope); // has(x.f): presence only
                    } else {
                        visit(operand, scope);
                    }
                }
                case CALL -> visitCall(e, scope);
                case LIST -> e.list().elements().forEach(x -> visit(x, scope));
                case MAP ->
                    e.map().entries().forEach(x -> {
                        visit(x.key(), scope);
                        visit(x.value(), scope);
                    });
                case STRUCT -> e.struct().entries().forEach(x -> visit(x.value(), scope));
                case COMPREHENSION -> visitComprehension(e.comprehension(), scope);
                default -> {
                    // constants, and identifiers that are no input (resolve() answered those that are)
                }
            }
        }

        private void visitCall(CelExpr e, Map<String, Path> scope) {
            CelExpr.CelCall call = e.call();
            if ("size".equals(call.function())) {
                CelExpr of = call.target()
                        .orElse(call.args().size() == 1 ? call.args().get(0) : null);
                Path p = of == null ? null : resolve(of, scope);
                if (p != null && p.node() instanceof ListOf) {
                    visitKeys(of, scope); // the number of elements only
                    return;
                }
            }
            call.target().ifPresent(t -> visit(t, scope));
            call.args().forEach(a -> visit(a, scope));
        }

        private void visitComprehension(CelExpr.CelComprehension c, Map<String, Path> scope) {
            Path range = resolve(c.iterRange(), scope);
            Path first = DERIVED;
            Path second = DERIVED;
            if (range == null) {
                visit(c.iterRange(), scope);
            } else {
                visitKeys(c.iterRange(), scope);
                switch (range.node()) {
                    case ListOf l -> {
                        Path element = new Path(range.name() + "[]", l.element());
                        // with two variables the first is the index
                        first = c.iterVar2().isEmpty() ? element : DERIVED;
                        second = element;
                    }
                    case MapOf m -> {
                        first = new Path(range.name() + " keys", STRUCTURAL);
                        second = new Path(range.name() + "[*]", new Leaf(literal(m)));
                    }
                    case Leaf leaf -> {
                        readWhole(range);
                        first = new Path(range.name(), leaf);
                        second = first;
                    }
                }
            }
            visit(c.accuInit(), scope);
            Map<String, Path> inner = new HashMap<>(scope);
            inner.put(c.iterVar(), first);
            if (!c.iterVar2().isEmpty()) {
                inner.put(c.iterVar2(), second);
            }
            inner.put(c.accuVar(), DERIVED);
            visit(c.loopCondition(), inner);
            visit(c.loopStep(), inner);
            Map<String, Path> after = new HashMap<>(scope);
            after.put(c.accuVar(), DERIVED);
            visit(c.result(), after);
        }

        /** The input part {@code e} stands for when it is a variable, a field of one or an element of one. */
        private Path resolve(CelExpr e, Map<String, Path> scope) {
            switch (e.getKind()) {
                case IDENT -> {
                    String name = e.ident().name();
                    if (scope.containsKey(name)) {
                        return scope.get(name);
                    }
                    Node n = VARIABLES.get(name);
                    // a name the schema does not know cannot be told structural
                    return new Path(name, n == null ? LITERAL : n);
                }
                case SELECT -> {
                    if (e.select().testOnly()) {
                        return null;
                    }
                    Path base = resolve(e.select().operand(), scope);
                    return base == null ? null : child(base, e.select().field());
                }
                case CALL -> {
                    CelExpr.CelCall call = e.call();
                    if (!"_[_]".equals(call.function()) || call.args().size() != 2) {
                        return null;
                    }
                    Path base = resolve(call.args().get(0), scope);
                    if (base == null) {
                        return null;
                    }
                    CelExpr key = call.args().get(1);
                    if (base.node() instanceof ListOf l) {
                        return new Path(base.name() + "[]", l.element());
                    }
                    if (key.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                            && key.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                        return child(base, key.constant().stringValue());
                    }
                    // a computed key may name any field
                    return new Path(base.name() + "[*]", new Leaf(literal(base.node())));
                }
                default -> {
                    return null;
                }
            }
        }

        /** Visits the index keys inside an access chain (the chain itself was classified as a whole). */
        private void visitKeys(CelExpr e, Map<String, Path> scope) {
            switch (e.getKind()) {
                case SELECT -> visitKeys(e.select().operand(), scope);
                case CALL -> {
                    if ("_[_]".equals(e.call().function()) && e.call().args().size() == 2) {
                        visitKeys(e.call().args().get(0), scope);
                        visit(e.call().args().get(1), scope);
                    }
                }
                default -> {
                    // an identifier ends the chain
                }
            }
        }

        private void readWhole(Path p) {
            if (literal(p.node())) {
                found.add(p.name());
            }
        }
    }

    private static Path child(Path base, String field) {
        String name = base.name() + "." + field;
        return switch (base.node()) {
            case MapOf m -> new Path(name, m.fields().getOrDefault(field, m.other()));
            case Leaf leaf -> new Path(name, leaf);
            case ListOf l -> new Path(name, LITERAL); // not valid CEL on a list: fail closed
        };
    }

    /** Whether anything below {@code n} is literal. */
    static boolean literal(Node n) {
        return switch (n) {
            case Leaf leaf -> leaf.literal();
            case ListOf l -> literal(l.element());
            case MapOf m -> literal(m.other()) || m.fields().values().stream().anyMatch(LiteralReads::literal);
        };
    }
}
