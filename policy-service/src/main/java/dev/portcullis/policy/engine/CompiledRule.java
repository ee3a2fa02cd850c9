package dev.portcullis.policy.engine;

import dev.cel.runtime.CelRuntime;
import dev.portcullis.policy.model.Effect;
import dev.portcullis.policy.model.MaskDirective;
import dev.portcullis.policy.model.Rule;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A rule with its condition compiled to a CEL program (immutable, thread-safe), and the literal-bearing input
 * paths the condition reads ({@link LiteralReads}; empty when it reads structural fields only).
 */
public record CompiledRule(String policyId, Rule rule, CelRuntime.Program program, Set<String> literalReads) {

    public CompiledRule {
        literalReads = Set.copyOf(literalReads);
    }

    public String id() {
        return rule.id();
    }

    public Effect effect() {
        return rule.effect();
    }

    public String message() {
        return rule.message();
    }

    public List<MaskDirective> mask() {
        return rule.mask();
    }

    /** The cheap pre-filter before CEL runs: protocol and connection tags. */
    public boolean appliesTo(String protocol, Map<String, String> tags) {
        if (!rule.protocols().isEmpty() && !rule.protocols().contains(protocol)) {
            return false;
        }
        for (Map.Entry<String, String> e : rule.tags().entrySet()) {
            if (!e.getValue().equals(tags.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
