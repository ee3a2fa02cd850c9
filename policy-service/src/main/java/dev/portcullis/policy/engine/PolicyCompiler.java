package dev.portcullis.policy.engine;

import dev.cel.bundle.Cel;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.runtime.CelEvaluationException;
import dev.portcullis.policy.engine.PolicyCompileException.Problem;
import dev.portcullis.policy.model.PolicyDocument;
import dev.portcullis.policy.model.Rule;
import java.util.ArrayList;
import java.util.List;

/** Parses and compiles a whole document or nothing: every problem of every rule is reported at once. */
public final class PolicyCompiler {

    private PolicyCompiler() {}

    public static CompiledPolicy compile(String policyId, String raw, long version) {
        if (policyId == null || !PolicyParser.ID.matcher(policyId).matches()) {
            throw new PolicyCompileException(
                    String.valueOf(policyId),
                    List.of(new Problem(null, "policy id must match " + PolicyParser.ID.pattern(), 0, 0)));
        }
        PolicyParser.Parsed parsed = PolicyParser.parse(policyId, raw);
        PolicyDocument doc = parsed.document();
        Cel cel = CelEnvironment.cel();
        List<Problem> problems = new ArrayList<>(parsed.problems());
        List<CompiledRule> compiled = new ArrayList<>();
        ConditionPositions positions = null;
        for (Rule rule : doc.rules()) {
            CelValidationResult result = cel.compile(rule.condition());
            if (result.hasError()) {
                if (positions == null) {
                    positions = ConditionPositions.of(raw);
                }
                for (CelIssue issue : result.getErrors()) {
                    int line = issue.getSourceLocation().getLine();
                    int column = issue.getSourceLocation().getColumn() + 1;
                    // the condition's own line:col, as the document has it (the editor's line:col)
                    ConditionPositions.Position at = line > 0 ? positions.of(rule.id(), line, column) : null;
                    problems.add(new Problem(
                            rule.id(),
                            issue.getMessage(),
                            at == null ? line : at.line(),
                            at == null ? column : at.column()));
                }
                continue;
            }
            try {
                CelAbstractSyntaxTree ast = result.getAst();
                compiled.add(new CompiledRule(policyId, rule, cel.createProgram(ast), LiteralReads.of(ast)));
            } catch (CelValidationException | CelEvaluationException e) {
                problems.add(new Problem(rule.id(), e.getMessage(), 0, 0));
            }
        }
        if (!problems.isEmpty()) {
            throw new PolicyCompileException(policyId, problems);
        }
        return new CompiledPolicy(policyId, version, raw, doc, List.copyOf(compiled));
    }
}
