package dev.portcullis.policy.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.policy.config.PolicyConfig;
import dev.portcullis.policy.decisionlog.DecisionLogEvent;
import dev.portcullis.policy.decisionlog.DecisionLogPublisher;
import dev.portcullis.policy.decisionlog.DecisionLogUnavailableException;
import dev.portcullis.policy.engine.Evaluation;
import dev.portcullis.policy.engine.InputNormalizer;
import dev.portcullis.policy.engine.PolicyEngine;
import dev.portcullis.policy.engine.PolicyInput;
import dev.portcullis.policy.model.Action;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

/** Makes a decision with the active policy set and logs it. */
@ApplicationScoped
public class DecisionService {

    /** The path of the decision document (docs/architecture.md, "Policy"). */
    public static final String DECISION_PATH = "portcullis/decision";

    private final ActivePolicies active;
    private final DecisionLogPublisher logs;
    private final PolicyEngine engine;
    private final Map<Action, Counter> decisions = new EnumMap<>(Action.class);

    @Inject
    public DecisionService(
            ActivePolicies active, DecisionLogPublisher logs, PolicyConfig config, MeterRegistry registry) {
        this.active = active;
        this.logs = logs;
        this.engine = new PolicyEngine(config.fallbackAction());
        for (Action a : Action.values()) {
            decisions.put(
                    a,
                    Counter.builder("portcullis.decisions")
                            .tag("action", a.json())
                            .register(registry));
        }
    }

    /** A decision, its id and timings. */
    public record Outcome(String decisionId, Evaluation evaluation, long evalNanos) {}

    public Outcome decide(JsonNode input, boolean explain, String requestedBy, long startNanos) {
        PolicyInput normalized = InputNormalizer.normalize(input, Instant::now);
        long evalStart = System.nanoTime();
        Evaluation evaluation = engine.evaluate(active.current(), normalized, explain);
        long end = System.nanoTime();
        String id = UUID.randomUUID().toString();
        boolean logged = logs.publish(new DecisionLogEvent(
                id,
                DECISION_PATH,
                Instant.now(),
                requestedBy,
                input,
                evaluation.decision(),
                evaluation.policyRevision(),
                end - startNanos));
        if (!logged) {
            // no decision without its log (an audit gap): the proxy fails closed on the 503
            throw new DecisionLogUnavailableException(
                    "decision refused: its decision log cannot be queued (Kafka is not acknowledging decision logs)");
        }
        decisions.get(evaluation.decision().action()).increment();
        return new Outcome(id, evaluation, end - evalStart);
    }
}
