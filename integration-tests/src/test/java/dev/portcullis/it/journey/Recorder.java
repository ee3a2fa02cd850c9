package dev.portcullis.it.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.LongStream;

/** recorder-service's auditor API (recorder-service/README.md), as {@code carol-auditor}. */
final class Recorder {

    private final String url;
    private final Keycloak keycloak;

    Recorder(String url, Keycloak keycloak) {
        this.url = url + "/v1";
        this.keycloak = keycloak;
    }

    private String auditor() {
        return keycloak.user(Keycloak.AUDITOR);
    }

    /** Every session of an agent, newest first (one page of up to 500 is plenty here). */
    List<JsonNode> sessions(String agent) {
        JsonNode page = Http.get(
                        url + "/sessions?size=500&agent=" + URLEncoder.encode(agent, StandardCharsets.UTF_8), auditor())
                .expect(200)
                .json();
        List<JsonNode> items = new ArrayList<>();
        page.path("items").forEach(items::add);
        if (page.path("total").asLong(-1) != items.size()) {
            throw new AssertionError("the session list is paged unexpectedly: " + page);
        }
        return items;
    }

    JsonNode session(String id) {
        return Http.get(url + "/sessions/" + id, auditor()).expect(200).json();
    }

    Http.Response download(String id) {
        return Http.get(url + "/sessions/" + id + "/recording", auditor());
    }

    /**
     * Downloads the asciicast of an SSH session ({@code ?format=cast}): the SHA-256 of the bytes
     * equals {@code X-Portcullis-Sha256}, {@code Repr-Digest} and the metadata's {@code cast.sha256},
     * the size equals the metadata's, and the file is valid asciicast v2.
     */
    Asciicast downloadCast(String id) {
        JsonNode meta = session(id);
        Http.Response r = Http.get(url + "/sessions/" + id + "/recording?format=cast", auditor())
                .expect(200);
        Asciicast cast = Asciicast.parse(r.body());
        assertEquals(List.of(), cast.problems, () -> "asciicast v2 of session " + id);
        String b64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(cast.sha256));
        assertEquals(cast.sha256, r.header("X-Portcullis-Sha256"), "X-Portcullis-Sha256 header vs the downloaded cast");
        assertEquals("sha-256=:" + b64 + ":", r.header("Repr-Digest"), "Repr-Digest header vs the downloaded cast");
        assertEquals(cast.sha256, meta.path("cast").path("sha256").asText(), () -> "metadata cast.sha256: " + meta);
        assertEquals(r.body().length, meta.path("cast").path("size_bytes").asLong(), "metadata cast size vs the file");
        return cast;
    }

    /** The recorder's own verifier ({@code POST /v1/recordings/verify?session=}). */
    JsonNode verify(String id, byte[] file) {
        return Http.post(url + "/recordings/verify?session=" + id, auditor(), file)
                .expect(200)
                .json();
    }

    /**
     * Downloads a final recording and checks it as an auditor would: status {@code complete} and
     * ended; the file's SHA-256 equals the download headers and the metadata; the hash chain,
     * checked here independently, is intact and ends at the chain head the metadata and headers
     * name; the seal counts every event; seqs run 0..n-1 with none missing or doubled; and the
     * recorder's own verifier accepts the file.
     */
    Recording downloadVerified(String id) {
        JsonNode meta = session(id);
        assertEquals("complete", meta.path("status").asText(), () -> "status of session " + id + ": " + meta);
        assertTrue(meta.path("ended").asBoolean(), () -> "session " + id + " not ended: " + meta);
        assertEquals(0, meta.path("missing").size(), () -> "missing seqs in " + id + ": " + meta);
        Http.Response r = download(id).expect(200);
        Recording rec = Recording.parse(r.body());
        assertEquals(List.of(), rec.problems, () -> "hash chain of session " + id);
        String b64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(rec.sha256));
        assertEquals(rec.sha256, r.header("X-Portcullis-Sha256"), "X-Portcullis-Sha256 header vs the downloaded bytes");
        assertEquals("sha-256=:" + b64 + ":", r.header("Repr-Digest"), "Repr-Digest header vs the downloaded bytes");
        assertEquals(
                rec.sha256, meta.path("recording").path("sha256").asText(), "metadata sha256 vs the downloaded bytes");
        assertEquals(
                rec.chainHead, meta.path("recording").path("chain_head").asText(), "metadata chain head vs the file");
        assertEquals(rec.chainHead, r.header("X-Portcullis-Chain-Head"), "chain head header vs the file");
        assertEquals(r.body().length, meta.path("recording").path("size_bytes").asLong(), "metadata size vs the file");
        assertEquals("complete", rec.seal.path("status").asText(), "seal status");
        assertEquals(rec.lines.size(), rec.seal.path("events").asLong(), "seal event count");
        assertEquals(0, rec.seal.path("missing").size(), "seal missing ranges");
        assertEquals(
                LongStream.range(0, rec.lines.size()).boxed().toList(),
                rec.lines.stream().map(Recording.Line::seq).toList(),
                "seqs from 0, each exactly once, in order");
        assertEquals(meta.path("events").asLong(), rec.lines.size(), "metadata event count vs the file");
        JsonNode verdict = verify(id, r.body());
        assertTrue(verdict.path("valid").asBoolean(), () -> "recorder's verifier on session " + id + ": " + verdict);
        return rec;
    }
}
