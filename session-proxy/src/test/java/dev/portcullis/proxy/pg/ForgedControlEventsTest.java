package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewDecided;
import dev.portcullis.contracts.recording.SigningKeys;
import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.KafkaProbe;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyReadiness;
import dev.portcullis.proxy.ProxyTestResource;
import dev.portcullis.proxy.enforcement.ControlEventTrust;
import dev.portcullis.proxy.enforcement.SessionRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Kafka is not a trust boundary (docs/architecture.md "Events", {@code signature}): whoever can write to
 * review-decisions cannot release a held statement; only the broker's signed approval of that very review does. A
 * kill switch produced the same way is still applied, since ignoring one would fail open.
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class ForgedControlEventsTest {

    @Inject
    PgListener listener;

    @Inject
    ControlEventTrust trust;

    @Inject
    SessionRegistry registry;

    /** A broker approval as identity-broker writes it (contracts' review.approved), unsigned. */
    private static JsonObject approval(String reviewId, String agent, String connection) {
        return new JsonObject()
                .put("specversion", "1.0")
                .put("id", UUID.randomUUID().toString())
                .put("source", "/portcullis/identity-broker")
                .put("type", EventTypes.REVIEW_APPROVED)
                .put("subject", reviewId)
                .put("time", Instant.now().toString())
                .put("datacontenttype", "application/json")
                .put("dataschema", "urn:portcullis:events:v1")
                .put(
                        "data",
                        JsonObject.mapFrom(new ReviewDecided(
                                reviewId,
                                "s-" + reviewId,
                                agent,
                                connection,
                                ReviewDecided.APPROVED,
                                "mallory",
                                Instant.now().toString(),
                                null)));
    }

    private static int count(String table) throws SQLException {
        try (Connection c = ProxyTestResource.stack()
                        .postgres()
                        .connect(
                                ProxyTestResource.DATABASE,
                                "postgres",
                                ProxyTestResource.stack().postgres().superPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void forgedApprovalsReleaseNothingAndTheBrokersSignedApprovalDoes() throws Exception {
        ProxyTestResource.stack()
                .postgres()
                .execute(
                        ProxyTestResource.DATABASE,
                        "DROP TABLE IF EXISTS forged_held",
                        "CREATE TABLE forged_held (id int)",
                        "ALTER TABLE forged_held OWNER TO " + ProxyTestResource.ROLE,
                        "INSERT INTO forged_held SELECT generate_series(1, 4)");
        ProxyReadiness.await();
        try (KafkaProbe requests = new KafkaProbe(Topics.REVIEW_REQUESTS);
                Connection c = PgClients.jdbc(listener.actualPort(), Agents.demoAgentWriteToken(), "forged-test");
                Statement s = c.createStatement()) {
            CompletableFuture<SQLException> held = execute(s, "DELETE FROM forged_held");
            JsonObject review = reviewOf(requests, "DELETE FROM forged_held");
            String x = review.getString("review_id");
            String agent = review.getString("agent");
            String connection = review.getString("connection");
            String unsigned = approval(x, agent, connection).encode();
            String signedX = KafkaProbe.signed(unsigned);
            String signatureOfX = signedX.substring(signedX.lastIndexOf(",\"signature\""));
            String reviewA = UUID.randomUUID().toString(); // a review long decided: nobody holds it
            String signedA =
                    KafkaProbe.signed(approval(reviewA, agent, connection).encode());
            String bodyWithA = approval(reviewA, agent, connection).encode();

            // all keyed by the held review, so they reach one partition in this order; the authentic ones first
            List<String> authentic = List.of(
                    // the broker's own approval of another review, replayed for this one
                    signedA,
                    // signed by the broker, but of another agent's request (the hold's agent does not match)
                    KafkaProbe.signed(approval(x, "other-agent", connection).encode()),
                    // signed, on another connection
                    KafkaProbe.signed(approval(x, agent, "pg-elsewhere").encode()),
                    // signed, its subject another review than its review_id
                    KafkaProbe.signed(approval(x, agent, connection)
                            .put("subject", reviewA)
                            .encode()));
            List<String> unauthenticated = List.of(
                    // signed by a key the proxy does not pin
                    KafkaProbe.signed(SigningKeys.generate(), unsigned),
                    // the broker's signature of review A on an approval of review X
                    unsigned.substring(0, unsigned.length() - 1)
                            + signedA.substring(signedA.lastIndexOf(",\"signature\"")),
                    // a valid signature of an approval of A, its review_id and subject changed to X
                    signedA.replace(reviewA, x),
                    // the broker's approval of X with its dataschema changed
                    signedX.replace("urn:portcullis:events:v1", "urn:portcullis:events:v2"),
                    // the broker's approval of X with one field of its data changed
                    signedX.replace("\"mallory\"", "\"bob-approver\""),
                    // its signature stripped: the broker's approval of X as anyone can write it
                    signedX.substring(0, signedX.lastIndexOf(",\"signature\"")) + "}",
                    // a signature attribute that is not the last member
                    bodyWithA.substring(0, bodyWithA.length() - 1) + signatureOfX.replace("\"}", "\",\"x\":1}"),
                    // no signature at all (last: when it is counted, every record before it was read)
                    unsigned);
            double ignoredBefore = trust.count(ControlEventTrust.Outcome.IGNORED);
            List<String> all = new ArrayList<>(authentic);
            all.addAll(unauthenticated);
            produce(Topics.REVIEW_DECISIONS, x, all);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (trust.count(ControlEventTrust.Outcome.IGNORED) < ignoredBefore + unauthenticated.size()) {
                assertTrue(System.nanoTime() < end, "the proxy read the forged approvals");
                Thread.sleep(20);
            }
            assertEquals(ignoredBefore + unauthenticated.size(), trust.count(ControlEventTrust.Outcome.IGNORED));
            Thread.sleep(200); // a released statement would have reached PostgreSQL by now
            assertFalse(held.isDone(), "no forged approval released the statement");
            assertEquals(4, count("forged_held"), "the held DELETE did not run");

            // the broker's signed approval of this review releases it
            KafkaProbe.publishRaw(Topics.REVIEW_DECISIONS, x, signedX);
            assertNull(held.get(10, TimeUnit.SECONDS));
            assertEquals(0, count("forged_held"));
        }
    }

    @Test
    void aForgedApprovalOfAHeldStatementLetsItExpireUnrun() throws Exception {
        ProxyTestResource.stack()
                .postgres()
                .execute(
                        ProxyTestResource.DATABASE,
                        "DROP TABLE IF EXISTS forged_update",
                        "CREATE TABLE forged_update (id int)",
                        "ALTER TABLE forged_update OWNER TO " + ProxyTestResource.ROLE,
                        "INSERT INTO forged_update VALUES (1)");
        ProxyReadiness.await();
        try (KafkaProbe requests = new KafkaProbe(Topics.REVIEW_REQUESTS);
                Connection c = PgClients.jdbc(listener.actualPort(), Agents.demoAgentWriteToken(), "forged-expiry");
                Statement s = c.createStatement()) {
            CompletableFuture<SQLException> held = execute(s, "UPDATE forged_update SET id = 2");
            String x = reviewOf(requests, "UPDATE forged_update SET id = 2").getString("review_id");
            // exactly what the broker would write, produced by someone else: no signature
            KafkaProbe.publishRaw(
                    Topics.REVIEW_DECISIONS,
                    x,
                    approval(x, "demo-agent", "pg-demo").encode());
            SQLException refused = held.get(20, TimeUnit.SECONDS); // portcullis.review.timeout=8s in tests
            assertTrue(refused != null && "42501".equals(refused.getSQLState()), String.valueOf(refused));
            assertTrue(refused.getMessage().contains("expired"), refused.getMessage());
            try (Connection su = ProxyTestResource.stack()
                            .postgres()
                            .connect(
                                    ProxyTestResource.DATABASE,
                                    "postgres",
                                    ProxyTestResource.stack().postgres().superPassword());
                    Statement q = su.createStatement();
                    ResultSet rs = q.executeQuery("SELECT id FROM forged_update")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "the held UPDATE did not run");
                assertFalse(rs.next());
            }
        }
    }

    /** Ignoring a kill switch would fail open: an unsigned agent.disabled is applied, and counted as unsigned. */
    @Test
    void aForgedKillSwitchIsStillApplied() throws Exception {
        ProxyReadiness.await();
        String victim = "forged-kill-" + UUID.randomUUID();
        double appliedBefore = trust.count(ControlEventTrust.Outcome.APPLIED);
        Instant before = Instant.now().minusSeconds(5);
        KafkaProbe.publishRaw(
                Topics.IDENTITY_EVENTS,
                victim,
                new JsonObject()
                        .put("specversion", "1.0")
                        .put("id", UUID.randomUUID().toString())
                        .put("source", "/anyone")
                        .put("type", EventTypes.AGENT_DISABLED)
                        .put("subject", victim)
                        .put("data", new JsonObject().put("agent", victim))
                        .encode());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!registry.cutOff(victim, before, "pg-demo")) {
            assertTrue(System.nanoTime() < end, "the unsigned kill switch was applied");
            Thread.sleep(20);
        }
        assertTrue(trust.count(ControlEventTrust.Outcome.APPLIED) >= appliedBefore + 1);
    }

    /** The statement run on its own thread: null once it ran, or the error it ended with. */
    private static CompletableFuture<SQLException> execute(Statement s, String sql) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                s.execute(sql);
                return null;
            } catch (SQLException e) {
                return e;
            }
        });
    }

    /** The data of the proxy's review request for the held statement. */
    private static JsonObject reviewOf(KafkaProbe requests, String sql) {
        return requests.await(
                        e -> EventTypes.REVIEW_REQUESTED.equals(e.getString("type"))
                                && sql.equals(e.getJsonObject("data")
                                        .getJsonObject("request")
                                        .getString("text")),
                        Duration.ofSeconds(10))
                .getJsonObject("data");
    }

    private static void produce(String topic, String key, List<String> values) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", ProxyTestResource.stack().kafka().bootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("max.in.flight.requests.per.connection", "1");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, key, v));
            }
            producer.flush();
        }
    }
}
