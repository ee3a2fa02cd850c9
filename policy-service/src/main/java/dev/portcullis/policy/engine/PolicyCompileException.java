package dev.portcullis.policy.engine;

import java.util.List;

/** A policy document that cannot be parsed or compiled; nothing of it is applied. */
public final class PolicyCompileException extends RuntimeException {

    /**
     * One problem. {@code rule} is null for document-level problems; {@code line}/{@code column}
     * are 1-based positions inside the rule's CEL condition (or the document for parse errors), 0 when unknown.
     */
    public record Problem(String rule, String message, int line, int column) {}

    private final String policyId;
    private final List<Problem> problems;

    public PolicyCompileException(String policyId, List<Problem> problems) {
        super(summary(policyId, problems));
        this.policyId = policyId;
        this.problems = List.copyOf(problems);
    }

    public String policyId() {
        return policyId;
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String summary(String policyId, List<Problem> problems) {
        StringBuilder sb = new StringBuilder("policy ").append(policyId).append(" does not compile: ");
        for (int i = 0; i < problems.size(); i++) {
            Problem p = problems.get(i);
            if (i > 0) {
                sb.append("; ");
            }
            if (p.rule() != null) {
                sb.append("rule ").append(p.rule()).append(' ');
            }
            if (p.line() > 0) {
                sb.append("at ").append(p.line()).append(':').append(p.column()).append(' ');
            }
            sb.append(p.message());
        }
        return sb.toString();
    }
}
