package dev.portcullis.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.policy.model.Action;
import dev.portcullis.policy.model.CacheScope;
import dev.portcullis.policy.model.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A decision says "shape" (reuse it for every request of the same shape) only when no rule that can apply reads a
 * literal-bearing part of the input, as found in the compiled conditions' syntax trees (ADR 0021).
 */
class CacheScopeTest {

    static final PolicyEngine ENGINE = new PolicyEngine(Action.DENY);

    static Set<String> reads(String condition) {
        CompiledPolicy p = PolicyCompiler.compile(
                "p", "rules:\n  - id: r\n    condition: \"" + condition + "\"\n    effect: deny\n    message: m\n", 1);
        return p.rules().get(0).literalReads();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "text.matches('(?i)drop')",
                "text == ''",
                "size(text) > 10",
                "detect(text, 'email')",
                "statements.exists(s, s.text.matches('DROP'))",
                "statements.all(s, s.type == 'SELECT' && !s.text.contains('x'))",
                "statements[0].text == 'x'",
                "input.request.text.startsWith('SELECT')",
                "input.request.parameters.exists(p, p == '1')",
                "size(input.request.parameters) > 0",
                "input['request']['text'] == 'x'",
                "input.request.statements.exists(s, s.text == 'x')",
                "command.contains('sudo')",
                "http.path.startsWith('/api')",
                "input.request.path == '/'",
                // a field the schema does not name is literal until it is listed
                "input.request.something_new == 'x'",
                "input.anything == 'x'",
                // whole values: every field below is read
                "statements.exists(s, s.exists(k, s[k] == 'DROP x'))",
                "statements == []",
                "string(input.request).contains('DELETE')",
                "input.request.size() > 3",
                "'text' in input.request",
                // a map indexed by a computed key may read any field
                "['text', 'kind'].exists(k, input.request[k] == 'x')",
                // an element taken whole out of a computed list still reads its text
                "statements.map(s, s).exists(x, x.text == 'y')",
                "statements.filter(s, s.type == 'WITH').exists(s, s.text.contains('DELETE'))",
                // a comprehension variable that shadows a variable name is the element, not the variable
                "statements.exists(text, text.text == 'x')"
            })
    void aConditionReadingALiteralIsExact(String condition) {
        assertNotEquals(Set.of(), reads(condition), condition);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "true",
                "statement_types.exists(t, t in ['DROP', 'TRUNCATE'])",
                "statements.exists(s, s.type in ['DELETE', 'UPDATE'] && !s.has_where)",
                "statements.exists(s, 'orders' in s.tables)",
                "statements[0].type == 'SELECT'",
                "size(statements) == 0",
                "statements.size() > 1",
                "has(input.request.text)",
                "has(statements[0].text)",
                "scopes.exists(s, s == 'conn:' + connection + ':read')",
                "http.resource == 'secrets' && http.verb.lowerAscii() in ['get', 'list']",
                "kind == 'upgrade' || protocol == 'kubernetes'",
                "tags.env == 'prod' && tags.exists(k, k == 'env')",
                "input.identity.access == 'read' && input.connection.name == 'pg'",
                "input.session.client_address.startsWith('10.')",
                "input.request.kind == 'execute' && input.request.verb == 'get'",
                "input.request.statements.exists(s, s.type == 'SELECT')",
                "('backup' in groups || agent.startsWith('backup-')) && !in_time_window(now, '02:00', '04:00', 'UTC')",
                // the statement analysis of issue 14: names and flags
                "statements.exists(s, s.read_only == false || size(s.writes) > 0 || 'setval' in s.calls)",
                "statements.exists(s, s.predicate_columns.exists(c, c.contains('email')))",
                "statements.exists(s, s.settings.exists(x, x == 'role'))",
                // a comprehension over a computed list of structural values
                "statements.map(s, s.type).exists(t, t == 'DELETE')"
            })
    void aConditionReadingStructuralFieldsOnlyIsShape(String condition) {
        assertEquals(Set.of(), reads(condition), condition);
    }

    @Test
    void thePathsReadAreNamed() {
        assertEquals(Set.of("statements[].text"), reads("statements.exists(s, s.text.matches('DROP'))"));
        assertEquals(Set.of("input.request.parameters"), reads("size(input.request.parameters) > 0"));
        assertEquals(Set.of("text", "http.path"), reads("text == '' || http.path == '/'"));
    }

    static PolicySet set(String yaml) {
        return PolicySet.of(List.of(PolicyCompiler.compile("p", yaml, 1)));
    }

    static Decision decide(PolicySet set, ObjectNode input) {
        return ENGINE.evaluate(set, TestInputs.normalize(input), false).decision();
    }

    static final String TEXT_RULE_ON_PROD_POSTGRES = """
            rules:
              - id: no-drop-text
                protocols: [postgres]
                tags: { env: prod }
                condition: "text.matches('(?i)drop')"
                effect: deny
                message: m
              - id: allow-all
                condition: "true"
                effect: allow
                message: m
            """;

    @Test
    void aSetWithATextReadingRuleGivesExactWhereTheRuleCanApply() {
        PolicySet s = set(TEXT_RULE_ON_PROD_POSTGRES);
        // same decision for two literals today, yet not reusable: the rule reads the text
        assertEquals(
                CacheScope.EXACT,
                decide(s, TestInputs.sql("prod", "SELECT 1", "SELECT")).cache().scope());
        assertEquals(
                CacheScope.EXACT,
                decide(s, TestInputs.sql("prod", "SELECT 'drop'", "SELECT"))
                        .cache()
                        .scope());
        assertEquals(
                Action.DENY,
                decide(s, TestInputs.sql("prod", "SELECT 'drop'", "SELECT")).action());
        // where the rule cannot apply (other tags, other protocol) nothing reads a literal
        assertEquals(
                CacheScope.SHAPE,
                decide(s, TestInputs.sql("dev", "SELECT 1", "SELECT")).cache().scope());
        assertEquals(
                CacheScope.SHAPE,
                decide(s, TestInputs.k8s("prod", "get", "pods", null)).cache().scope());
    }

    @Test
    void aMaskRuleReadingALiteralMakesTheDecisionExactToo() {
        PolicySet s = set("""
                rules:
                  - id: mask-if-email-in-text
                    condition: "detect(text, 'email')"
                    effect: mask
                    message: m
                    mask: [ { column: "*", strategy: redact } ]
                """);
        assertEquals(
                CacheScope.EXACT,
                decide(s, TestInputs.sql("dev", "SELECT 1", "SELECT")).cache().scope());
    }

    @Test
    void aStructuralSetGivesShape() {
        PolicySet s = set("""
                rules:
                  - id: drop
                    condition: "statement_types.exists(t, t == 'DROP')"
                    effect: deny
                    message: m
                """);
        Decision d = decide(s, TestInputs.sql("prod", "DROP TABLE t", "DROP:t"));
        assertEquals(Action.DENY, d.action());
        assertEquals(CacheScope.SHAPE, d.cache().scope());
        assertEquals(
                CacheScope.SHAPE,
                decide(PolicySet.empty(), TestInputs.sql("prod", "SELECT 1", "SELECT"))
                        .cache()
                        .scope());
    }

    @Test
    void theRevisionChangesWithThePolicySet() {
        PolicySet one = set(TEXT_RULE_ON_PROD_POSTGRES);
        PolicySet two = one.with(PolicyCompiler.compile("p", TEXT_RULE_ON_PROD_POSTGRES, 2), 2);
        assertNotEquals(one.revision(), two.revision());
        assertEquals(one.revision(), set(TEXT_RULE_ON_PROD_POSTGRES).revision());
    }

    /**
     * What the default pack gives today, per protocol, and which of its rules read literals. The PostgreSQL rules
     * that read statement text are to be replaced by the structural fields of issue 14; this test then says shape.
     */
    @Test
    void theDefaultPackReadsTheseLiterals() {
        List<CompiledPolicy> compiled = new ArrayList<>();
        for (Map.Entry<String, String> e : DefaultPack.sources().entrySet()) {
            compiled.add(PolicyCompiler.compile(e.getKey(), e.getValue(), 1));
        }
        PolicySet pack = PolicySet.of(compiled);
        Map<String, Set<String>> literal = new TreeMap<>();
        for (CompiledPolicy p : compiled) {
            for (CompiledRule r : p.rules()) {
                if (!r.literalReads().isEmpty()) {
                    literal.put(r.id(), new TreeSet<>(r.literalReads()));
                }
            }
        }
        assertEquals(
                Map.of(
                        // session-proxy's shell analysis is not in the schema, so literal (SSH stays exact)
                        "ssh-read-access-is-read-only", Set.of("input.request.shell.read_only"),
                        "ssh-unparsed-command-refused", Set.of("input.request.shell.parsed"),
                        "ssh-rm-root-forbidden",
                                Set.of(
                                        "command",
                                        "input.request.shell.commands",
                                        "input.request.shell.commands.args",
                                        "input.request.shell.commands.program"),
                        "ssh-disk-wipe-forbidden",
                                Set.of(
                                        "command",
                                        "input.request.shell.commands",
                                        "input.request.shell.commands.args",
                                        "input.request.shell.commands.program",
                                        "input.request.shell.commands.redirects"),
                        "ssh-sudo-review", Set.of("command", "input.request.shell.programs")),
                literal);
        Map<String, String> prod = Map.of("env", "prod");
        Map<String, String> dev = Map.of("env", "dev");
        // the PostgreSQL rules read the proxy's analysis (read_only, not_read_only, types), never a text
        assertEquals(CacheScope.SHAPE, pack.cacheScope("postgres", prod).scope());
        assertEquals(CacheScope.SHAPE, pack.cacheScope("postgres", dev).scope());
        assertEquals(CacheScope.EXACT, pack.cacheScope("ssh", dev).scope());
        assertEquals(CacheScope.SHAPE, pack.cacheScope("kubernetes", prod).scope());
        assertEquals(CacheScope.SHAPE, pack.cacheScope("http", prod).scope());
    }
}
