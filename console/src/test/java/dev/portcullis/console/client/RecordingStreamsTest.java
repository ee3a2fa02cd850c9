package dev.portcullis.console.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordingStreams} against a stand-in recorder (the JDK's HTTP server): what the console asks for, with which
 * token, and what it passes on.
 */
class RecordingStreamsTest {

    record Seen(String method, String uri, String authorization, String acceptEncoding, byte[] body) {}

    private static final byte[] FILE = "{\"seq\":0}\n{\"seq\":1}\n".getBytes(StandardCharsets.UTF_8);

    private HttpServer recorder;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private RecordingStreams streams;

    @BeforeEach
    void start() throws IOException {
        recorder = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        recorder.createContext("/v1/sessions/", this::recording);
        recorder.createContext("/v1/recordings/verify", this::verify);
        recorder.start();
        streams =
                new RecordingStreams("http://127.0.0.1:" + recorder.getAddress().getPort(), new ObjectMapper());
    }

    @AfterEach
    void stop() {
        recorder.stop(0);
    }

    @Test
    void aDownloadIsTheRecordersAnswerWithItsHeadersAskedWithTheUsersToken() throws Exception {
        try (RecordingStreams.Stream s = streams.open("user-token", "s-1", "jsonl", false)) {
            assertEquals(200, s.status());
            assertArrayEquals(FILE, s.body().readAllBytes());
            assertEquals("attachment; filename=\"s-1.jsonl\"", s.headers().get("Content-Disposition"));
            assertEquals("ab12", s.headers().get("X-Portcullis-Sha256"));
            assertEquals(Integer.toString(FILE.length), s.headers().get("Content-Length"));
            assertFalse(s.headers().containsKey("X-Other"), "only the listed headers pass");
        }
        Seen get = seen.get(0);
        assertEquals("GET /v1/sessions/s-1/recording?format=jsonl", get.method() + " " + get.uri());
        assertEquals("Bearer user-token", get.authorization());
        assertEquals(null, get.acceptEncoding(), "the file itself, not gzip, for the browser");
    }

    @Test
    void verificationStreamsTheStoredBytesIntoTheVerifyEndpointForThatSession() throws Exception {
        BrokerClient.Reply r = streams.verify("user-token", "s-1");
        assertEquals(200, r.status());
        assertTrue(r.body().path("valid").asBoolean());
        assertEquals(2, seen.size());
        assertEquals("gzip", seen.get(0).acceptEncoding(), "downloaded as stored");
        Seen post = seen.get(1);
        assertEquals("POST /v1/recordings/verify?session=s-1", post.method() + " " + post.uri());
        assertEquals("Bearer user-token", post.authorization());
        assertArrayEquals(gzip(FILE), post.body(), "the bytes the recorder sent, unchanged");
    }

    @Test
    void aRefusedDownloadIsNotSentToVerifyAndKeepsTheRecordersStatus() throws Exception {
        BrokerClient.Reply r = streams.verify("user-token", "still-open");
        assertEquals(409, r.status());
        assertEquals("still recording", r.body().path("detail").asText());
        assertEquals(1, seen.size(), "nothing was posted to verify");
    }

    @Test
    void onlySessionIdsAndKnownFormatsArePutIntoAUrl() {
        for (String id : List.of("../v1/recordings/keys", "a/b", "", "x?y", "-x")) {
            assertThrows(IllegalArgumentException.class, () -> streams.open("t", id, "jsonl", false), id);
        }
        assertThrows(IllegalArgumentException.class, () -> streams.open("t", "s-1", "html", false));
        assertTrue(seen.isEmpty(), "the recorder was not asked");
    }

    private void recording(HttpExchange x) throws IOException {
        seen.add(seen(x));
        if (x.getRequestURI().getPath().contains("still-open")) {
            reply(x, 409, Map.of(), "{\"status\":409,\"detail\":\"still recording\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        boolean gzip = "gzip".equals(x.getRequestHeaders().getFirst("Accept-Encoding"));
        byte[] body = gzip ? gzip(FILE) : FILE;
        reply(
                x,
                200,
                Map.of(
                        "Content-Disposition", "attachment; filename=\"s-1.jsonl\"",
                        "X-Portcullis-Sha256", "ab12",
                        "X-Other", "no"),
                body);
    }

    private void verify(HttpExchange x) throws IOException {
        seen.add(seen(x));
        reply(x, 200, Map.of(), "{\"valid\":true,\"problems\":[]}".getBytes(StandardCharsets.UTF_8));
    }

    private static Seen seen(HttpExchange x) throws IOException {
        return new Seen(
                x.getRequestMethod(),
                x.getRequestURI().toString(),
                x.getRequestHeaders().getFirst("Authorization"),
                x.getRequestHeaders().getFirst("Accept-Encoding"),
                x.getRequestBody().readAllBytes());
    }

    private static void reply(HttpExchange x, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> x.getResponseHeaders().add(k, v));
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
