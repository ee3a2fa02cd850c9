package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.SessionEventFields;
import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.KafkaProbe;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyReadiness;
import dev.portcullis.proxy.ProxyTestResource;
import dev.portcullis.proxy.UnrecordablePublisher;
import dev.portcullis.proxy.enforcement.WriteAhead;
import dev.portcullis.proxy.events.EventPublisher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A statement held for review and approved, whose approval cannot be recorded, is refused as every write-ahead
 * refusal is (docs/architecture.md "Delivery"): {@code 53000} with {@link WriteAhead#REFUSAL}, not the
 * {@code 42501} of a review that did not approve, and it does not run. The approval's {@code session.decision} is
 * the event given up ({@link UnrecordablePublisher}); the request, the hold and the approval itself travel through
 * the real Kafka.
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class ApprovedButUnrecordedTest {

    private static final String REFUSED = "Portcullis: " + WriteAhead.REFUSAL;

    @Inject
    PgListener listener;

    @Inject
    EventPublisher events;

    int port;
    UnrecordablePublisher publisher;

    @BeforeEach
    void setUp() throws InterruptedException {
        ProxyReadiness.await(); // the approval arrives through the control-events consumer
        port = listener.actualPort();
        publisher = UnrecordablePublisher.install(events, ApprovedButUnrecordedTest::approval);
    }

    /** The approval's decision: the one event this test loses. */
    private static boolean approval(CloudEvent<?> event) {
        return EventTypes.SESSION_DECISION.equals(event.type())
                && event.data() instanceof JsonObject data
                && "approved".equals(data.getString(SessionEventFields.STATE));
    }

    @Test
    void anApprovedStatementWhoseApprovalIsNotRecordedIsRefusedWith53000ExtendedProtocol() throws Exception {
        String table = table("held_unrecorded_ext");
        try (KafkaProbe requests = new KafkaProbe(Topics.REVIEW_REQUESTS);
                Connection c = PgClients.jdbc(port, Agents.demoAgentWriteToken(), "approved-unrecorded-ext");
                Statement s = c.createStatement()) {
            CompletableFuture<SQLException> held = CompletableFuture.supplyAsync(() -> {
                try {
                    s.execute("DELETE FROM " + table); // pgjdbc: Parse/Bind/Execute
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            approve(requests, table);

            SQLException e = held.get(20, TimeUnit.SECONDS);
            assertNotNull(e, "the approved statement ran though its approval was not recorded");
            assertEquals("53000", e.getSQLState(), e::getMessage);
            assertTrue(e.getMessage().contains(REFUSED), e.getMessage());
            assertEquals(1, publisher.givenUp.get());
            assertEquals(1, publisher.refusedRequests.get());
            // the target is unchanged, and the session goes on
            assertEquals(3, count(s, table));
        }
    }

    @Test
    void anApprovedStatementWhoseApprovalIsNotRecordedIsRefusedWith53000SimpleQuery() throws Exception {
        String table = table("held_unrecorded_simple");
        try (KafkaProbe requests = new KafkaProbe(Topics.REVIEW_REQUESTS)) {
            CompletableFuture<PgClients.Result> held = CompletableFuture.supplyAsync(() -> {
                try {
                    // psql sends a simple Query; VERBOSITY verbose prints the SQLSTATE
                    return PgClients.psql(
                            port,
                            Agents.demoAgentWriteToken(),
                            "-v",
                            "VERBOSITY=verbose",
                            "-c",
                            "DELETE FROM " + table);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            approve(requests, table);

            PgClients.Result r = held.get(30, TimeUnit.SECONDS);
            assertNotEquals(0, r.exit(), "the approved statement ran though its approval was not recorded");
            assertTrue(r.err().contains("ERROR:  53000: " + REFUSED), r.err());
            assertEquals(1, publisher.givenUp.get());
        }
        try (Connection direct = Target.direct();
                Statement s = direct.createStatement()) {
            assertEquals(3, count(s, table));
        }
    }

    /** A fresh table of 3 rows the session's role owns; a {@code DELETE} of all of it is held for review. */
    private static String table(String prefix) {
        String table = prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
        ProxyTestResource.stack()
                .postgres()
                .execute(
                        ProxyTestResource.DATABASE,
                        "CREATE TABLE " + table + " (id int)",
                        "ALTER TABLE " + table + " OWNER TO " + ProxyTestResource.ROLE,
                        "INSERT INTO " + table + " SELECT generate_series(1, 3)");
        return table;
    }

    /** Waits for the statement's review.requested and approves it, as the broker would. */
    private static void approve(KafkaProbe requests, String table) throws Exception {
        JsonObject req = requests.await(
                e -> EventTypes.REVIEW_REQUESTED.equals(e.getString("type"))
                        && e.getJsonObject("data")
                                .getJsonObject("request")
                                .getString("text")
                                .equals("DELETE FROM " + table),
                Duration.ofSeconds(15));
        String reviewId = req.getJsonObject("data").getString("review_id");
        KafkaProbe.approve(reviewId, "bob-approver");
    }

    private static int count(Statement s, String table) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
