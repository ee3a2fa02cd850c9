package dev.portcullis.recorder.recording;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.events.EventTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingChainTest {

    static byte[] recording(List<SeqRange> missing, long... seqs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordingWriter w = new RecordingWriter(out)) {
            for (long seq : seqs) {
                w.append(
                        seq,
                        "{\"session_id\":\"s1\",\"seq\":" + seq + ",\"type\":\"" + EventTypes.SESSION_REQUEST
                                + "\",\"text\":\"SELECT " + seq + "\"}");
            }
            w.seal("s1", missing.isEmpty() ? "complete" : "incomplete", missing, true);
        }
        return out.toByteArray();
    }

    static RecordingVerifier.Result verify(byte[] file) throws IOException {
        return RecordingVerifier.verify(new ByteArrayInputStream(file), null, null);
    }

    @Test
    void writtenFileVerifiesAndReportsItsSha256() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordingWriter.Written written;
        try (RecordingWriter w = new RecordingWriter(out)) {
            w.append(0, "{\"a\":1}");
            w.append(1, "{\"a\":2}");
            written = w.seal("s1", "complete", List.of(), true);
        }
        byte[] file = out.toByteArray();
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        assertThat(written.sha256()).isEqualTo(sha);
        assertThat(written.size()).isEqualTo(file.length);
        RecordingVerifier.Result r = RecordingVerifier.verify(new ByteArrayInputStream(file), sha, written.chainHead());
        assertThat(r.problems()).isEmpty();
        assertThat(r.valid()).isTrue();
        assertThat(r.events()).isEqualTo(2);
        assertThat(r.lines()).isEqualTo(3);
    }

    @Test
    void eachLineCoversThePreviousLinesHash() throws Exception {
        String[] lines = new String(recording(List.of(), 0, 1, 2), StandardCharsets.UTF_8).split("\n");
        for (int i = 1; i < lines.length; i++) {
            String prevHash = lines[i - 1].substring(lines[i - 1].length() - 66, lines[i - 1].length() - 2);
            assertThat(lines[i]).contains("\"prev\":\"" + prevHash + "\"");
        }
        assertThat(lines[0]).contains("\"prev\":\"" + RecordingFormat.GENESIS + "\"");
    }

    @Test
    void alteredLineFailsVerification() throws Exception {
        String file = new String(recording(List.of(), 0, 1, 2), StandardCharsets.UTF_8);
        String tampered = file.replace("SELECT 1", "SELECT 9");
        assertThat(tampered).isNotEqualTo(file);
        RecordingVerifier.Result r = verify(tampered.getBytes(StandardCharsets.UTF_8));
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(p -> p.contains("line 2") && p.contains("hash does not match"));
    }

    @Test
    void removedLineFailsVerification() throws Exception {
        List<String> lines = new ArrayList<>(
                Arrays.asList(new String(recording(List.of(), 0, 1, 2), StandardCharsets.UTF_8).split("\n")));
        lines.remove(1);
        RecordingVerifier.Result r = verify((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(p -> p.contains("chain broken"));
    }

    @Test
    void truncatedFileFailsVerification() throws Exception {
        List<String> lines =
                Arrays.asList(new String(recording(List.of(), 0, 1, 2), StandardCharsets.UTF_8).split("\n"));
        String truncated = String.join("\n", lines.subList(0, 2)) + "\n";
        RecordingVerifier.Result r = verify(truncated.getBytes(StandardCharsets.UTF_8));
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(p -> p.contains("truncated"));
    }

    @Test
    void rewrittenChainIsCaughtByTheRecordedSha256() throws Exception {
        byte[] original = recording(List.of(), 0, 1, 2);
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(original));
        byte[] forged = recording(List.of(), 0, 1); // a consistent chain, but not the recorded one
        assertThat(verify(forged).valid()).isTrue();
        RecordingVerifier.Result r = RecordingVerifier.verify(new ByteArrayInputStream(forged), sha, null);
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(p -> p.contains("SHA-256"));
    }

    @Test
    void gapsMustMatchTheSealsMissingRanges() throws Exception {
        assertThat(verify(recording(List.of(new SeqRange(2, 3)), 0, 1, 4)).valid())
                .isTrue();
        // a line dropped and the chain rebuilt: the seal no longer matches the gaps
        RecordingVerifier.Result r = verify(recording(List.of(new SeqRange(2, 3)), 0, 4));
        assertThat(r.valid()).isFalse();
    }
}
