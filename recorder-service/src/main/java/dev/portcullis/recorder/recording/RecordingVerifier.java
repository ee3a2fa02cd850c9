package dev.portcullis.recorder.recording;

import dev.portcullis.contracts.recording.RecordingCheck;
import java.io.IOException;
import java.io.InputStream;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks an event file as the recorder does ({@code POST /v1/recordings/verify}): contracts'
 * {@link RecordingCheck} against the recorder's trusted keys (signature, chain, seal), then, when
 * the recorder's metadata for the session is given, that the file is the one it stored. The offline
 * verifier is the same check with keys pinned out of band (contracts' {@code VerifyRecordings}).
 */
public final class RecordingVerifier {

    /** What the recorder's metadata says of a session's stored recording. */
    public record Expected(String sessionId, String sha256, String chainHead) {}

    private RecordingVerifier() {}

    public static RecordingCheck.Result verify(InputStream in, Map<String, PublicKey> trusted, Expected expected)
            throws IOException {
        return verify(in, trusted, expected, Long.MAX_VALUE);
    }

    /** As above, refusing (IOException) past {@code maxBytes} uncompressed bytes. */
    public static RecordingCheck.Result verify(
            InputStream in, Map<String, PublicKey> trusted, Expected expected, long maxBytes) throws IOException {
        RecordingCheck.Result r = RecordingCheck.verify(in, trusted, maxBytes);
        if (expected == null) {
            return r;
        }
        List<String> problems = new ArrayList<>();
        if (expected.sessionId() != null && !expected.sessionId().equals(r.sessionId())) {
            problems.add("the seal names session " + r.sessionId() + ", not " + expected.sessionId());
        }
        if (expected.sha256() != null && !expected.sha256().equalsIgnoreCase(r.sha256())) {
            problems.add("SHA-256 " + r.sha256() + " differs from the expected " + expected.sha256());
        }
        if (expected.chainHead() != null && !expected.chainHead().equalsIgnoreCase(r.chainHead())) {
            problems.add("last hash differs from the recorded chain head");
        }
        return r.withProblems(problems);
    }
}
