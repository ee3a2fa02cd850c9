package dev.portcullis.policy.service;

import dev.portcullis.policy.engine.PolicySet;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The policy set decisions are made with. Swapped whole, so a decision never sees a half-applied
 * change; until the store has been read at start it is empty, and an empty set denies.
 */
@ApplicationScoped
public class ActivePolicies {

    private final AtomicReference<PolicySet> current = new AtomicReference<>(PolicySet.empty());

    public PolicySet current() {
        return current.get();
    }

    public PolicySet update(UnaryOperator<PolicySet> change) {
        return current.updateAndGet(change);
    }

    public void replace(PolicySet set) {
        current.set(set);
    }
}
