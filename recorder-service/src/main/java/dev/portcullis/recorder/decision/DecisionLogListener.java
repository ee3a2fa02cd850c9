package dev.portcullis.recorder.decision;

import dev.portcullis.contracts.Topics;
import dev.portcullis.recorder.config.RecorderConfig;
import dev.portcullis.recorder.ingest.DeadLetter;
import dev.portcullis.recorder.ingest.DeadLetterPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Stores {@code decision-logs} in the decision_log table (idempotent on decision_id), then
 * acknowledges the batch; unusable records go to the dead-letter topic.
 */
@ApplicationScoped
public class DecisionLogListener {

    private static final Logger LOG = Logger.getLogger(DecisionLogListener.class);

    private final Pool pool;
    private final DeadLetterPublisher deadLetters;
    private final DecisionLogParser parser;
    private final Counter stored;

    DecisionLogListener(Pool pool, DeadLetterPublisher deadLetters, RecorderConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.deadLetters = deadLetters;
        this.parser = new DecisionLogParser(config.ingest().maxEventBytes());
        this.stored = registry.counter("recorder.decisions.stored");
    }

    @Incoming(Topics.DECISION_LOGS)
    public Uni<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        List<DecisionLogParser.Decision> decisions = new ArrayList<>();
        List<DeadLetter> rejected = new ArrayList<>();
        for (KafkaRecord<String, byte[]> r : batch.getRecords()) {
            DecisionLogParser.Result result = parser.parse(r.getPayload());
            if (result.decision() != null) {
                decisions.add(result.decision());
            } else {
                rejected.add(new DeadLetter(
                        r.getTopic(),
                        r.getPartition(),
                        DeadLetter.offsetOf(r),
                        r.getKey(),
                        r.getPayload(),
                        result.rejection()));
            }
        }
        return Uni.createFrom()
                .deferred(() -> deadLetters.park(rejected).chain(() -> insert(decisions)))
                .onFailure()
                .invoke(e -> LOG.warnf("storing %d decision logs failed, retrying: %s", decisions.size(), e.toString()))
                .onFailure()
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .indefinitely()
                .chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }

    private Uni<Void> insert(List<DecisionLogParser.Decision> decisions) {
        if (decisions.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = decisions.size();
        String[] ids = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        String[] agents = new String[n];
        String[] connections = new String[n];
        String[] sessions = new String[n];
        String[] protocols = new String[n];
        String[] actions = new String[n];
        String[] rules = new String[n];
        String[] versions = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            DecisionLogParser.Decision d = decisions.get(i);
            ids[i] = d.decisionId();
            at[i] = d.decidedAt();
            agents[i] = d.agent();
            connections[i] = d.connection();
            sessions[i] = d.sessionId();
            protocols[i] = d.protocol();
            actions[i] = d.action();
            rules[i] = d.rules();
            versions[i] = d.policyVersion();
            payloads[i] = d.json();
        }
        return pool.preparedQuery("""
                INSERT INTO decision_log (decision_id, decided_at, agent, connection, session_id, protocol, action, rules,
                                          policy_version, payload)
                SELECT * FROM unnest($1::varchar[], $2::timestamptz[], $3::varchar[], $4::varchar[], $5::varchar[],
                                     $6::varchar[], $7::varchar[], $8::text[], $9::varchar[], $10::text[])
                ON CONFLICT (decision_id) DO NOTHING""")
                .execute(Tuple.from(new Object[] {
                    ids, at, agents, connections, sessions, protocols, actions, rules, versions, payloads
                }))
                .invoke(rs -> stored.increment(rs.rowCount()))
                .replaceWithVoid();
    }
}
