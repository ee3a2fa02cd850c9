package dev.portcullis.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.policy.engine.PolicyCompileException.Problem;
import org.junit.jupiter.api.Test;

class PolicyCompilerTest {

    @Test
    void anUndeclaredVariableIsReportedWithRuleAndPosition() {
        PolicyCompileException e =
                assertThrows(PolicyCompileException.class, () -> PolicyCompiler.compile("p", """
                rules:
                  - { id: good, condition: "true", effect: deny, message: x }
                  - { id: bad, condition: "protocol == 'ssh' && nosuch > 1", effect: deny, message: x }
                """, 1));
        assertEquals(1, e.problems().size());
        Problem p = e.problems().get(0);
        assertEquals("bad", p.rule());
        // where the document has it (the editor's line:col), not inside the condition's own text (1:22)
        String line3 = "  - { id: bad, condition: \"protocol == 'ssh' && nosuch > 1\", effect: deny, message: x }";
        assertEquals(3, p.line());
        assertEquals(line3.indexOf("nosuch") + 1, p.column(), "1-based column of 'nosuch' in the document");
        assertTrue(p.message().contains("nosuch"), p.message());
        assertTrue(e.getMessage().contains("rule bad at 3:" + (line3.indexOf("nosuch") + 1)), e.getMessage());
    }

    /** The offending name's line:col in the document, for every way YAML and JSON write a condition. */
    @Test
    void aConditionsErrorIsPlacedWhereTheDocumentHasIt() {
        // double quotes with escapes before the error, single quotes with '' before it, a plain scalar
        String doc = String.join(
                "\n",
                "rules:",
                "  - { id: dq, condition: \"text.contains(\\\"a\\u0041\\\") && nosuch\", effect: deny, message: x }",
                "  - { id: sq, condition: 'text == ''it'' && nosuch', effect: deny, message: x }",
                "  - id: plain",
                "    condition: protocol == 'ssh' && nosuch",
                "    effect: deny",
                "    message: x",
                "  - id: lit",
                "    condition: |",
                "      protocol == 'ssh' &&",
                "        nosuch > 1",
                "    effect: deny",
                "    message: x",
                "  - id: folded",
                "    condition: >-",
                "      protocol == 'ssh' &&",
                "      nosuch > 1",
                "    effect: deny",
                "    message: x",
                "  - id: gapped",
                "    condition: >",
                "      protocol == 'ssh' &&",
                "",
                "      nosuch > 1",
                "    effect: deny",
                "    message: x",
                "");
        String[] lines = doc.split("\n");
        PolicyCompileException e =
                assertThrows(PolicyCompileException.class, () -> PolicyCompiler.compile("p", doc, 1));
        java.util.Map<String, Problem> byRule = new java.util.HashMap<>();
        e.problems().forEach(p -> byRule.putIfAbsent(p.rule(), p));
        assertEquals(java.util.Set.of("dq", "sq", "plain", "lit", "folded", "gapped"), byRule.keySet(), e.getMessage());
        assertAt(byRule.get("dq"), 2, lines[1].indexOf("nosuch") + 1);
        assertAt(byRule.get("sq"), 3, lines[2].indexOf("nosuch") + 1);
        assertAt(byRule.get("plain"), 5, lines[4].indexOf("nosuch") + 1);
        assertAt(byRule.get("lit"), 11, lines[10].indexOf("nosuch") + 1);
        // YAML folds these lines into one, joined by a space: the column is found on its line
        assertAt(byRule.get("folded"), 17, lines[16].indexOf("nosuch") + 1);
        // a blank line keeps a break in a folded block: not followed, the condition's first character
        assertAt(byRule.get("gapped"), 21, lines[20].indexOf(">") + 1);

        // JSON is YAML too
        String json =
                "{\"rules\": [{\"id\": \"j\", \"condition\": \"nosuch\", \"effect\": \"deny\", \"message\": \"x\"}]}";
        PolicyCompileException je =
                assertThrows(PolicyCompileException.class, () -> PolicyCompiler.compile("p", json, 1));
        assertAt(je.problems().get(0), 1, json.indexOf("nosuch") + 1);
    }

    private static void assertAt(Problem p, int line, int column) {
        assertEquals(line + ":" + column, p.line() + ":" + p.column(), p::toString);
    }

    @Test
    void aSyntaxErrorIsReportedWithPosition() {
        PolicyCompileException e = assertThrows(
                PolicyCompileException.class,
                () -> PolicyCompiler.compile(
                        "p", "rules:\n  - { id: syn, condition: \"protocol == \", effect: deny, message: x }\n", 1));
        assertEquals("syn", e.problems().get(0).rule());
        assertTrue(e.problems().get(0).column() > 0);
    }

    @Test
    void aNonBooleanConditionIsRefused() {
        PolicyCompileException e = assertThrows(
                PolicyCompileException.class,
                () -> PolicyCompiler.compile(
                        "p", "rules:\n  - { id: num, condition: \"size(tables)\", effect: deny, message: x }\n", 1));
        assertEquals("num", e.problems().get(0).rule());
    }

    @Test
    void everyBrokenRuleIsReportedAtOnce() {
        PolicyCompileException e =
                assertThrows(PolicyCompileException.class, () -> PolicyCompiler.compile("p", """
                rules:
                  - { id: a, condition: "x", effect: deny, message: m }
                  - { id: b, condition: "true", effect: explode, message: m }
                  - { id: b2, condition: "true", effect: mask, message: m }
                """, 1));
        assertEquals(
                java.util.Set.of("a", "b", "b2"),
                e.problems().stream().map(Problem::rule).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void documentLevelProblemsAreReported() {
        assertThrows(PolicyCompileException.class, () -> PolicyCompiler.compile("p", "rules: [ {", 1));
        assertThrows(PolicyCompileException.class, () -> PolicyCompiler.compile("p", "just a string", 1));
        assertThrows(PolicyCompileException.class, () -> PolicyCompiler.compile("p", "id: other\nrules: []", 1));
        assertThrows(PolicyCompileException.class, () -> PolicyCompiler.compile("Bad Id", "rules: []", 1));
        assertThrows(
                PolicyCompileException.class,
                () -> PolicyCompiler.compile(
                        "p",
                        "rules:\n  - { id: d, condition: 'true', effect: deny, message: m }\n  - { id: d, condition: 'true', effect: deny, message: m }\n",
                        1));
        assertThrows(
                PolicyCompileException.class,
                () -> PolicyCompiler.compile("p", "defaults: [ { tags: {}, action: maybe } ]\nrules: []", 1));
        assertThrows(
                PolicyCompileException.class,
                () -> PolicyCompiler.compile(
                        "p",
                        "rules:\n  - { id: m, condition: 'true', effect: mask, message: m, mask: [ { detector: iban, strategy: redact } ] }\n",
                        1));
    }

    @Test
    void jsonDocumentsAreAcceptedToo() {
        CompiledPolicy p = PolicyCompiler.compile("j", """
                {"rules": [{"id": "r", "condition": "kind == 'exec'", "effect": "review", "message": "m"}]}
                """, 3);
        assertEquals(3, p.version());
        assertEquals(1, p.rules().size());
    }

    /**
     * Native image: the only class dev.cel loads by name is a generated protobuf message class
     * ({@code DefaultInstanceMessageLiteFactory}: {@code Class.forName} + {@code getDefaultInstance}), used
     * when an expression builds a message or the data holds one. The environment declares no message
     * types and the input is plain maps, lists, strings and timestamps, so nothing of it is registered
     * for reflection. If a message literal ever compiles here, that path becomes reachable and the
     * native image needs reflection configuration for those protobuf classes (policy-service README,
     * "Native").
     */
    @Test
    void aProtobufMessageLiteralIsRefused() {
        for (String type :
                java.util.List.of("google.protobuf.Duration", "google.protobuf.Timestamp", "google.protobuf.Struct")) {
            PolicyCompileException e = assertThrows(
                    PolicyCompileException.class,
                    () -> PolicyCompiler.compile(
                            "p",
                            "rules:\n  - { id: lit, condition: \"" + type
                                    + "{} != null\", effect: deny, message: x }\n",
                            1),
                    type);
            assertEquals("lit", e.problems().get(0).rule());
            assertTrue(
                    e.problems().get(0).message().contains("undeclared reference to '" + type + "'"),
                    e.problems().get(0).message());
        }
    }
}
