package dev.portcullis.console.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * A session's recording as a stream, for what must not be held in memory: the download the console passes on to the
 * browser, the terminal replay it reads line by line, and the verification it pipes straight into the recorder's
 * {@code POST /v1/recordings/verify}. Blocking ({@code java.net.http}), called on worker threads, always with the
 * signed-in user's token, so each read is in the recorder's download trail under the user's name.
 */
@ApplicationScoped
public class RecordingStreams {

    private static final Logger LOG = Logger.getLogger(RecordingStreams.class);
    /** recorder-service's session id rule: only such an id is put into a URL. */
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    /** The recorder's answer headers the download passes on (the recorder's own names and values). */
    public static final List<String> PASSED_HEADERS = List.of(
            "Content-Type",
            "Content-Length",
            "Content-Disposition",
            "X-Portcullis-Sha256",
            "X-Portcullis-Chain-Head",
            "X-Portcullis-Recording-Status");

    /** The recorder's answer: status, the headers above, and the body, which the caller must close. */
    public record Stream(int status, Map<String, String> headers, InputStream body) implements AutoCloseable {
        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                LOG.debugf("closing a recording stream: %s", e.toString());
            }
        }
    }

    private final HttpClient http;
    private final URI base;
    private final ObjectMapper json;

    RecordingStreams(@ConfigProperty(name = "quarkus.rest-client.recorder-service.url") String url, ObjectMapper json) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.json = json;
    }

    /**
     * {@code GET /v1/sessions/{id}/recording?format=}: {@code jsonl} (the signed event file) or {@code cast} (the
     * terminal recording). Without {@code gzip} the recorder decompresses, so the bytes are the file itself.
     */
    public Stream open(String accessToken, String sessionId, String format, boolean gzip) throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(
                        base.resolve("v1/sessions/" + id(sessionId) + "/recording?format=" + format(format)))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + accessToken)
                .GET();
        if (gzip) {
            req.header("Accept-Encoding", "gzip");
        }
        HttpResponse<InputStream> r = send(req.build());
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : PASSED_HEADERS) {
            r.headers().firstValue(h).ifPresent(v -> headers.put(h, v));
        }
        return new Stream(r.statusCode(), headers, r.body());
    }

    /**
     * The stored recording, verified by the recorder: downloaded (compressed, as stored) and streamed straight into
     * {@code POST /v1/recordings/verify?session=}, which checks the signature, the chain, the seal, and that it is
     * the file stored for that session. The recorder's answer, or its refusal of the download.
     */
    public BrokerClient.Reply verify(String accessToken, String sessionId) throws IOException {
        Stream download = open(accessToken, sessionId, "jsonl", true);
        try (download) {
            if (download.status() != 200) {
                return new BrokerClient.Reply(
                        download.status(), parse(download.body().readNBytes(64 * 1024)));
            }
            HttpRequest post = HttpRequest.newBuilder(base.resolve(
                            "v1/recordings/verify?session=" + URLEncoder.encode(id(sessionId), StandardCharsets.UTF_8)))
                    .timeout(Duration.ofMinutes(5))
                    .header("Authorization", "Bearer " + accessToken)
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(download::body))
                    .build();
            HttpResponse<InputStream> r = send(post);
            try (InputStream body = r.body()) {
                return new BrokerClient.Reply(r.statusCode(), parse(body.readNBytes(1024 * 1024)));
            }
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private com.fasterxml.jackson.databind.JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    private static String id(String sessionId) {
        if (sessionId == null || !SESSION_ID.matcher(sessionId).matches()) {
            throw new IllegalArgumentException("not a session id");
        }
        return sessionId;
    }

    private static String format(String format) {
        if (!"jsonl".equals(format) && !"cast".equals(format)) {
            throw new IllegalArgumentException("format must be jsonl or cast");
        }
        return format;
    }
}
