package dev.portcullis.recorder.retention;

import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.awaitFinal;
import static dev.portcullis.recorder.support.RecorderTestSupport.newSessionId;
import static dev.portcullis.recorder.support.RecorderTestSupport.send;
import static dev.portcullis.recorder.support.RecorderTestSupport.sqlSession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.Topics;
import dev.portcullis.recorder.storage.RecordingStore;
import dev.portcullis.recorder.support.RecorderDevStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
class RetentionTest {

    @Inject
    RetentionService retention;

    @Inject
    RecordingStore store;

    @Test
    void deletesExpiredRecordingsAndNothingElse() throws Throwable {
        // test rules: env=prod P400D, env=dev P7D, default P90D
        Instant tenDaysAgo = Instant.now().minus(10, ChronoUnit.DAYS);
        String devOld = newSessionId("ret-dev-old");
        String prodOld = newSessionId("ret-prod-old");
        String devRecent = newSessionId("ret-dev-recent");
        sqlSession(devOld, "ret-bot", "pg-dev", tenDaysAgo).forEach(e -> send(Topics.SESSION_EVENTS, devOld, e));
        sqlSession(prodOld, "ret-bot", "pg-prod", tenDaysAgo).forEach(e -> send(Topics.SESSION_EVENTS, prodOld, e));
        sqlSession(devRecent, "ret-bot", "pg-dev", Instant.now().minus(1, ChronoUnit.DAYS))
                .forEach(e -> send(Topics.SESSION_EVENTS, devRecent, e));
        String devOldKey = awaitFinal(devOld, Duration.ofSeconds(60)).getString("recording.key");
        String prodOldKey = awaitFinal(prodOld, Duration.ofSeconds(60)).getString("recording.key");
        String devRecentKey = awaitFinal(devRecent, Duration.ofSeconds(60)).getString("recording.key");
        assertThat(store.size(devOldKey)).isPresent();

        var deleted = retention.run(OffsetDateTime.now(ZoneOffset.UTC));

        assertThat(deleted).contains(devOld).doesNotContain(prodOld, devRecent);
        assertThat(store.size(devOldKey)).isEmpty();
        given().auth()
                .oauth2(auditorToken())
                .get("/v1/sessions/{id}", devOld)
                .then()
                .statusCode(404);
        assertThat(store.size(prodOldKey)).isPresent();
        assertThat(store.size(devRecentKey)).isPresent();
        given().auth()
                .oauth2(auditorToken())
                .get("/v1/sessions/{id}", prodOld)
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(auditorToken())
                .get("/v1/sessions/{id}", devRecent)
                .then()
                .statusCode(200);
    }
}
