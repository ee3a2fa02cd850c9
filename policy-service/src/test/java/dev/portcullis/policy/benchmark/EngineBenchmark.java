package dev.portcullis.policy.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.policy.engine.CompiledPolicy;
import dev.portcullis.policy.engine.DefaultPack;
import dev.portcullis.policy.engine.InputNormalizer;
import dev.portcullis.policy.engine.PolicyCompiler;
import dev.portcullis.policy.engine.PolicyEngine;
import dev.portcullis.policy.engine.PolicySet;
import dev.portcullis.policy.model.Action;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * In-process cost of a decision (input validation + evaluation) with the default pack, for the
 * typical inputs of each protocol; baseline: the same with a one-rule policy. Time and bytes allocated per decision
 * (this thread's, {@code com.sun.management.ThreadMXBean}), and the bytes each rule's evaluation allocates. Prints
 * figures, asserts nothing about speed or allocation. Run: see the module README ("Benchmark").
 */
@Tag("benchmark")
class EngineBenchmark {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int WARMUP = 300_000;
    static final int MEASURED = 400_000;

    static final String[] INPUTS = {"""
            {"identity": {"agent": "ci-runner", "groups": [], "scopes": ["conn:pg-prod:read"]},
             "connection": {"name": "pg-prod", "type": "postgres", "tags": {"env": "prod"}},
             "session": {"id": "s1", "client_address": "10.0.0.1", "started_at": "2026-11-22T03:00:00Z"},
             "request": {"protocol": "postgres", "kind": "query", "text": "SELECT id, email FROM customers WHERE id = $1",
                         "statements": [{"type": "SELECT", "tables": ["customers"], "has_where": true}]},
             "time": "2026-11-22T03:12:00Z"}""", """
            {"identity": {"agent": "ci-runner", "groups": [], "scopes": ["conn:pg-prod:write"]},
             "connection": {"name": "pg-prod", "type": "postgres", "tags": {"env": "prod"}},
             "request": {"protocol": "postgres", "kind": "query", "text": "DELETE FROM orders WHERE id = 1",
                         "statements": [{"type": "DELETE", "tables": ["orders"], "has_where": true}]},
             "time": "2026-11-22T03:12:00Z"}""", """
            {"identity": {"agent": "deploy-bot", "groups": ["deployers"]},
             "connection": {"name": "web-1", "type": "ssh", "tags": {"env": "prod"}},
             "request": {"protocol": "ssh", "kind": "exec", "command": "sudo systemctl restart web"},
             "time": "2026-11-22T03:12:00Z"}""", """
            {"identity": {"agent": "deploy-bot"},
             "connection": {"name": "k8s-prod", "type": "kubernetes", "tags": {"env": "prod"}},
             "request": {"protocol": "kubernetes", "method": "GET", "path": "/api/v1/namespaces/app/secrets/db",
                         "verb": "get", "resource": "secrets", "namespace": "app"},
             "time": "2026-11-22T03:12:00Z"}"""};

    @Test
    void defaultPackEvaluation() throws Exception {
        List<CompiledPolicy> pack = new ArrayList<>();
        for (Map.Entry<String, String> e : DefaultPack.sources().entrySet()) {
            pack.add(PolicyCompiler.compile(e.getKey(), e.getValue(), 1));
        }
        PolicySet defaultPack = PolicySet.of(pack);
        PolicySet baseline = PolicySet.of(List.of(PolicyCompiler.compile(
                "baseline", "rules:\n  - { id: one, condition: \"true\", effect: allow, message: m }\n", 1)));
        JsonNode[] inputs = new JsonNode[INPUTS.length];
        for (int i = 0; i < INPUTS.length; i++) {
            inputs[i] = JSON.readTree(INPUTS[i]);
        }
        PolicyEngine engine = new PolicyEngine(Action.DENY);
        int rules = defaultPack.policies().values().stream()
                .mapToInt(p -> p.rules().size())
                .sum();

        run(engine, baseline, inputs, WARMUP);
        run(engine, defaultPack, inputs, WARMUP);
        long[] base = run(engine, baseline, inputs, MEASURED);
        long[] full = run(engine, defaultPack, inputs, MEASURED);
        long baseMedian = Stats.percentile(base, base.length, 50);
        long fullMedian = Stats.percentile(full, full.length, 50);
        Stats.report(String.format(
                "in-process, %d-rule default pack, 4 typical inputs: median %.1f us, p99 %.1f us "
                        + "(baseline one-rule policy: median %.1f us, p99 %.1f us; ratio %.1fx)",
                rules,
                fullMedian / 1000.0,
                Stats.percentile(full, full.length, 99) / 1000.0,
                baseMedian / 1000.0,
                Stats.percentile(base, base.length, 99) / 1000.0,
                (double) fullMedian / baseMedian));
        for (int i = 0; i < inputs.length; i++) {
            long[] one = run(engine, defaultPack, new JsonNode[] {inputs[i]}, MEASURED / 4);
            Stats.report(String.format(
                    "  input %d (%s): median %.1f us",
                    i,
                    inputs[i].at("/request/protocol").asText()
                            + " "
                            + engine.evaluate(defaultPack, InputNormalizer.normalize(inputs[i], Instant::now), false)
                                    .decision()
                                    .action()
                                    .json(),
                    Stats.percentile(one, one.length, 50) / 1000.0));
        }
        // bytes allocated per decision: what the young generation has to collect (README "Profiled")
        for (int i = 0; i < inputs.length; i++) {
            JsonNode in = inputs[i];
            long normalize = allocated(() -> InputNormalizer.normalize(in, Instant::now));
            var normalized = InputNormalizer.normalize(in, Instant::now);
            long evaluate = allocated(() -> engine.evaluate(defaultPack, normalized, false));
            long one = allocated(() -> engine.evaluate(baseline, normalized, false));
            Stats.report(String.format(
                    "  input %d (%s): allocated per decision %,d B normalisation + %,d B evaluation"
                            + " (one-rule policy: %,d B)",
                    i, in.at("/request/protocol").asText(), normalize, evaluate, one));
        }
        // the rules that allocate most for the pg input, evaluated alone
        var pg = InputNormalizer.normalize(inputs[0], Instant::now);
        List<String> perRule = new ArrayList<>();
        for (CompiledPolicy p : defaultPack.policies().values()) {
            for (var rule : p.rules()) {
                if (!rule.appliesTo(pg.protocol(), pg.tags())) {
                    continue;
                }
                PolicySet alone = PolicySet.of(List.of(PolicyCompiler.compile(
                        "alone",
                        "rules:\n  - { id: r, condition: "
                                + JSON.writeValueAsString(rule.rule().condition()) + ", effect: deny, message: m }\n",
                        1)));
                long bytes = allocated(() -> engine.evaluate(alone, pg, false))
                        - allocated(() -> engine.evaluate(PolicySet.empty(), pg, false));
                perRule.add(String.format("%,d B %s", bytes, rule.id()));
            }
        }
        Stats.report("  pg input, allocated per rule evaluated alone: " + String.join("; ", perRule));
    }

    /** Bytes this thread allocates per call of {@code work}, after warming it up. */
    private static long allocated(java.util.function.Supplier<?> work) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int n = 20_000;
        Object sink = null;
        for (int i = 0; i < n; i++) {
            sink = work.get();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            sink = work.get();
        }
        long after = threads.getCurrentThreadAllocatedBytes();
        if (sink == null) {
            System.out.println("no result");
        }
        return (after - before) / n;
    }

    private static long[] run(PolicyEngine engine, PolicySet set, JsonNode[] inputs, int n) {
        long[] nanos = new long[n];
        long sink = 0;
        for (int i = 0; i < n; i++) {
            JsonNode in = inputs[i % inputs.length];
            long t0 = System.nanoTime();
            var d = engine.evaluate(set, InputNormalizer.normalize(in, Instant::now), false)
                    .decision();
            nanos[i] = System.nanoTime() - t0;
            sink += d.rules().size();
        }
        if (sink == Long.MIN_VALUE) {
            System.out.println(sink);
        }
        return Stats.sorted(nanos, n);
    }
}
