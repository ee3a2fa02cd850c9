package dev.portcullis.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Starts every real dependency once, proves each works end to end with its real client, and
 * proves that stopping the stack leaves no process behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevStackTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static DevStack stack;
    private static List<ProcessHandle> processes;

    @BeforeAll
    static void start() {
        stack = DevStack.builder().build().ensure(Component.values());
        processes = stack.processes();
    }

    @AfterAll
    static void stopIfStillRunning() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void postgresRoundTripsRowsOverScram() throws Exception {
        PostgresServer pg = stack.postgres();
        pg.createDatabase("roundtrip", "roundtrip_owner", "owner-secret");
        try (Connection c = pg.connect("roundtrip", "roundtrip_owner", "owner-secret");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO notes (body) VALUES (?)")) {
                insert.setString(1, "hello from dev-stack");
                assertEquals(1, insert.executeUpdate());
            }
            try (ResultSet rs = s.executeQuery("SELECT body, current_setting('password_encryption') FROM notes")) {
                assertTrue(rs.next());
                assertEquals("hello from dev-stack", rs.getString(1));
                assertEquals("scram-sha-256", rs.getString(2));
            }
        }
        // pg_hba.conf no longer trusts anyone: a wrong password is refused
        java.sql.SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(
                java.sql.SQLException.class,
                () -> pg.connect("roundtrip", "roundtrip_owner", "wrong").close());
        assertEquals("28P01", refused.getSQLState());
    }

    @Test
    @Order(2)
    void kafkaDeliversWhatWasProduced() throws Exception {
        String topic = "devstack-test-" + UUID.randomUUID();
        stack.kafka().createTopics(List.of(topic), 2);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get(10, TimeUnit.SECONDS);
            }
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "devstack-test");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        java.util.Set<String> seen = new java.util.TreeSet<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (seen.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    assertEquals(r.key().substring(1), r.value().substring(1));
                    seen.add(r.value());
                }
            }
        }
        assertEquals(10, seen.size(), "consumed " + seen);
    }

    @Test
    @Order(3)
    void keycloakIssuesDemoAgentTokenFromImportedRealm() throws Exception {
        KeycloakServer kc = stack.keycloak();
        String form = "grant_type=client_credentials&client_id=demo-agent&client_secret="
                + URLEncoder.encode("demo-agent-dev-secret", StandardCharsets.UTF_8);
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(kc.issuer() + "/protocol/openid-connect/token"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(form))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        String accessToken = JSON.readTree(response.body()).path("access_token").asText();
        JsonNode claims =
                JSON.readTree(Base64.getUrlDecoder().decode(accessToken.split("\\.")[1]));
        assertEquals(kc.issuer(), claims.path("iss").asText());
        assertEquals(
                "http://127.0.0.1:" + kc.port() + "/realms/portcullis",
                claims.path("iss").asText());
        assertEquals("demo-agent", claims.path("azp").asText());
        assertTrue(claims.path("realm_access").path("roles").toString().contains("\"agent\""), claims.toString());

        HttpResponse<String> wrongSecret = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(kc.issuer() + "/protocol/openid-connect/token"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "grant_type=client_credentials&client_id=demo-agent&client_secret=nope"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrongSecret.statusCode());
    }

    @Test
    @Order(4)
    void s3StoresAndReturnsObjects() {
        try (S3Client s3 = stack.s3().client()) {
            byte[] body = ("recording " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
            s3.putObject(
                    b -> b.bucket(DevStack.RECORDINGS_BUCKET).key("recordings/2026/11/22/test.jsonl"),
                    RequestBody.fromBytes(body));
            byte[] back = s3.getObjectAsBytes(
                            b -> b.bucket(DevStack.RECORDINGS_BUCKET).key("recordings/2026/11/22/test.jsonl"))
                    .asByteArray();
            assertEquals(new String(body, StandardCharsets.UTF_8), new String(back, StandardCharsets.UTF_8));
        }
        try (S3Client unsigned =
                S3Server.client(stack.s3().endpoint(), stack.s3().accessKey(), "not-the-secret")) {
            org.junit.jupiter.api.Assertions.assertThrows(
                    software.amazon.awssdk.services.s3.model.S3Exception.class,
                    () -> unsigned.listObjectsV2(b -> b.bucket(DevStack.RECORDINGS_BUCKET)));
        }
    }

    @Test
    @Order(5)
    void closingTheStackLeavesNoProcessBehind() throws Exception {
        assertTrue(processes.size() >= 4, "expected at least one process per component, got " + processes);
        processes.forEach(p -> assertTrue(p.isAlive(), p + " should be running before close"));
        stack.close();
        for (ProcessHandle p : processes) {
            p.onExit().get(30, TimeUnit.SECONDS);
            assertFalse(
                    p.isAlive(),
                    "still running after close: " + p.pid() + " "
                            + p.info().commandLine().orElse(""));
        }
    }
}
