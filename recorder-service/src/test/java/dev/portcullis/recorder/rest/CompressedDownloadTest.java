package dev.portcullis.recorder.rest;

import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.awaitFinal;
import static dev.portcullis.recorder.support.RecorderTestSupport.newSessionId;
import static dev.portcullis.recorder.support.RecorderTestSupport.send;
import static dev.portcullis.recorder.support.RecorderTestSupport.sqlSession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.recording.RecordingCheck;
import dev.portcullis.recorder.support.RecorderDevStack;
import dev.portcullis.recorder.support.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A recording stored gzip-compressed (docs/architecture.md "Recordings"), downloaded with a real HTTP client (the
 * JDK's, which neither asks for nor decodes gzip by itself): as stored with {@code Content-Encoding: gzip} when the
 * client takes gzip, decompressed when it does not; ranges, digests, HEAD, the audit row and the verifier for both.
 */
@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
class CompressedDownloadTest {

    static String id;
    static JsonPath meta;

    @TestHTTPResource("/")
    URL base;

    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void recordOnce() {
        if (id != null) {
            return;
        }
        String s = newSessionId("gz");
        sqlSession(s, "gz-agent", "pg-dev", Instant.now()).forEach(e -> send(Topics.SESSION_EVENTS, s, e));
        meta = awaitFinal(s, Duration.ofSeconds(60));
        id = s;
    }

    HttpResponse<byte[]> fetch(String method, String acceptEncoding, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "v1/sessions/" + id + "/recording"))
                .header("Authorization", "Bearer " + auditorToken())
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (acceptEncoding != null) {
            b.header("Accept-Encoding", acceptEncoding);
        }
        if (range != null) {
            b.header("Range", range);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String reprDigest(String hex) {
        return "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex)) + ":";
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    List<Object> encodingsAudited() {
        return given().auth()
                .oauth2(auditorToken())
                .get("/v1/sessions/{id}/downloads", id)
                .jsonPath()
                .getList("content_encoding");
    }

    @Test
    void theMetadataNamesTheUncompressedFileAndTheStoredObject() {
        assertThat(meta.getString("recording.key")).endsWith(id + ".jsonl.gz");
        assertThat(meta.getString("recording.encoding")).isEqualTo("gzip");
        assertThat(meta.getLong("recording.stored_size_bytes"))
                .isPositive()
                .isLessThan(meta.getLong("recording.size_bytes"));
    }

    @Test
    void aClientThatTakesGzipGetsTheStoredBytesAndOneWithoutGetsTheFile() throws Exception {
        HttpResponse<byte[]> gz = fetch("GET", "gzip, deflate", null);
        assertThat(gz.statusCode()).isEqualTo(200);
        assertThat(gz.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(gz.headers().firstValue("vary")).hasValue("Accept-Encoding");
        byte[] stored = gz.body();
        assertThat(stored.length).isEqualTo(meta.getLong("recording.stored_size_bytes"));
        assertThat(gz.headers().firstValueAsLong("content-length")).hasValue(stored.length);
        byte[] file = gunzip(stored);
        String sha = meta.getString("recording.sha256");
        assertThat(sha256(file)).isEqualTo(sha);
        // Repr-Digest and ETag: the representation sent (the gzip bytes); X-Portcullis-Sha256: the recording's
        assertThat(gz.headers().firstValue("repr-digest")).hasValue(reprDigest(sha256(stored)));
        assertThat(gz.headers().firstValue("etag")).hasValue("\"" + sha256(stored) + "\"");
        assertThat(gz.headers().firstValue("x-portcullis-sha256")).hasValue(sha);

        for (String accept : new String[] {null, "identity", "gzip;q=0", "br"}) {
            HttpResponse<byte[]> plain = fetch("GET", accept, null);
            assertThat(plain.statusCode()).as(accept).isEqualTo(200);
            assertThat(plain.headers().firstValue("content-encoding"))
                    .as(accept)
                    .isEmpty();
            assertThat(plain.headers().firstValue("vary")).hasValue("Accept-Encoding");
            assertThat(plain.body()).as(accept).isEqualTo(file);
            assertThat(plain.headers().firstValueAsLong("content-length")).hasValue(file.length);
            assertThat(plain.headers().firstValue("repr-digest")).hasValue(reprDigest(sha));
            assertThat(plain.headers().firstValue("x-portcullis-sha256")).hasValue(sha);
        }
        assertThat(file.length).isEqualTo(meta.getLong("recording.size_bytes"));
    }

    @Test
    void rangesCountTheBytesOfTheRepresentationSent() throws Exception {
        byte[] stored = fetch("GET", "gzip", null).body();
        HttpResponse<byte[]> gz = fetch("GET", "gzip", "bytes=5-24");
        assertThat(gz.statusCode()).isEqualTo(206);
        assertThat(gz.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(gz.headers().firstValue("content-range")).hasValue("bytes 5-24/" + stored.length);
        assertThat(gz.body()).isEqualTo(Arrays.copyOfRange(stored, 5, 25));

        byte[] file = gunzip(stored);
        HttpResponse<byte[]> plain = fetch("GET", null, "bytes=100-199");
        assertThat(plain.statusCode()).isEqualTo(206);
        assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
        assertThat(plain.headers().firstValue("content-range")).hasValue("bytes 100-199/" + file.length);
        assertThat(plain.body()).isEqualTo(Arrays.copyOfRange(file, 100, 200));
        HttpResponse<byte[]> tail = fetch("GET", null, "bytes=-7");
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(file, file.length - 7, file.length));

        HttpResponse<byte[]> beyond = fetch("GET", "gzip", "bytes=" + stored.length + "-");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("content-range")).hasValue("bytes */" + stored.length);
        // the same offset is inside the uncompressed file
        assertThat(fetch("GET", null, "bytes=" + stored.length + "-").statusCode())
                .isEqualTo(206);
    }

    @Test
    void headSaysWhatAGetWouldSendAndEveryGetIsAuditedWithItsEncoding() throws Exception {
        int before = encodingsAudited().size();
        HttpResponse<byte[]> headGz = fetch("HEAD", "gzip", null);
        HttpResponse<byte[]> head = fetch("HEAD", null, null);
        assertThat(headGz.statusCode()).isEqualTo(200);
        assertThat(headGz.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(headGz.headers().firstValueAsLong("content-length"))
                .hasValue(meta.getLong("recording.stored_size_bytes"));
        assertThat(head.headers().firstValue("content-encoding")).isEmpty();
        assertThat(head.headers().firstValueAsLong("content-length")).hasValue(meta.getLong("recording.size_bytes"));
        assertThat(headGz.body()).isEmpty();
        assertThat(encodingsAudited()).hasSize(before);

        fetch("GET", "gzip", "bytes=0-9");
        fetch("GET", null, null);
        List<Object> audited = encodingsAudited();
        assertThat(audited).hasSize(before + 2);
        // newest first
        assertThat(audited.subList(0, 2)).containsExactly(null, "gzip");
    }

    @Test
    void theVerifierTakesTheCompressedDownloadAndRefusesAnEditedOne() throws Exception {
        byte[] stored = fetch("GET", "gzip", null).body();
        Response ok = given().auth()
                .oauth2(auditorToken())
                .queryParam("session", id)
                .contentType("application/gzip")
                .body(stored)
                .post("/v1/recordings/verify");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.jsonPath().getList("problems")).isEmpty();
        assertThat(ok.jsonPath().getBoolean("valid")).isTrue();
        assertThat(ok.jsonPath().getString("sha256")).isEqualTo(meta.getString("recording.sha256"));

        RecordingCheck.Result offline = RecordingCheck.verify(new ByteArrayInputStream(stored), TestKeys.trusted());
        assertThat(offline.valid()).isTrue();

        String edited = new String(gunzip(stored), StandardCharsets.UTF_8).replace("WHERE id = 1", "WHERE id = 2");
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(again)) {
            out.write(edited.getBytes(StandardCharsets.UTF_8));
        }
        Response bad = given().auth()
                .oauth2(auditorToken())
                .contentType("application/gzip")
                .body(again.toByteArray())
                .post("/v1/recordings/verify");
        assertThat(bad.statusCode()).isEqualTo(200);
        assertThat(bad.jsonPath().getBoolean("valid")).isFalse();
        assertThat(bad.jsonPath().getList("problems", String.class)).anyMatch(p -> p.contains("hash does not match"));

        Response cut = given().auth()
                .oauth2(auditorToken())
                .contentType("application/gzip")
                .body(Arrays.copyOf(stored, stored.length / 2))
                .post("/v1/recordings/verify");
        assertThat(cut.statusCode()).isEqualTo(400);
        assertThat(cut.asString()).contains("not a readable recording");
    }
}
