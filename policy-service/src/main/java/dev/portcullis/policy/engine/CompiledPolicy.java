package dev.portcullis.policy.engine;

import dev.portcullis.policy.model.PolicyDocument;
import java.util.List;

/** One policy document, compiled; {@code version} is assigned by the store. */
public record CompiledPolicy(String id, long version, String raw, PolicyDocument document, List<CompiledRule> rules) {

    public CompiledPolicy withVersion(long newVersion) {
        return new CompiledPolicy(id, newVersion, raw, document, rules);
    }

    @Override
    public String toString() {
        return "CompiledPolicy[" + id + "@" + version + ", " + rules.size() + " rules]";
    }
}
