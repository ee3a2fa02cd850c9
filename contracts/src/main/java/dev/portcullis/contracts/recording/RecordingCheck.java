package dev.portcullis.contracts.recording;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an event file ({@link RecordingFormat}) against trusted public keys: every line's hash, the chain,
 * increasing seq, the seal's event count and missing ranges, and the signature over the seal by one of the
 * trusted keys. A file that is unsigned (format 1, or no signature line) or signed by a key not trusted is never
 * valid: there is no downgrade. The same code runs in the recorder and in the offline verifier
 * ({@link VerifyRecordings}), which trusts only keys pinned out of band.
 */
public final class RecordingCheck {

    /** At most this many problems are listed; one is enough to refuse a file. */
    private static final int MAX_PROBLEMS = 20;

    private static final String EVENT_HEAD = "{\"seq\":";
    private static final String SEAL_HEAD = "{\"seal\":";
    private static final Pattern PREV_TAIL = Pattern.compile(",\"prev\":\"([0-9a-f]{64})\"$");
    private static final Pattern EVENT_PREFIX =
            Pattern.compile("^\\{\"seq\":(0|[1-9][0-9]{0,15}),\"prev\":\"([0-9a-f]{64})\",\"event\":\\{");
    private static final Pattern SIGNATURE = Pattern.compile(
            "^\\{\"signature\":\\{\"alg\":\"Ed25519\",\"key_id\":\"([A-Za-z0-9._-]{1,64})\",\"seal\":\"([0-9a-f]{64})\","
                    + "\"value\":\"([A-Za-z0-9+/]{86}==)\"\\}\\}$");

    /**
     * The outcome. {@code ledgerIndex}, {@code prevIndex} and {@code prevSession} are the seal's link to the
     * recording sealed before it (-1 / null where absent), which {@link LedgerCheck} follows across files.
     */
    public record Result(
            boolean valid,
            long lines,
            long events,
            String sessionId,
            String status,
            String keyId,
            long ledgerIndex,
            long prevIndex,
            String prevSession,
            String sourceAuth,
            String chainHead,
            String sha256,
            List<String> problems) {

        /** The same result with more problems (the recorder's own metadata checks). */
        public Result withProblems(List<String> more) {
            if (more.isEmpty()) {
                return this;
            }
            List<String> all = new ArrayList<>(problems);
            all.addAll(more);
            return new Result(
                    false,
                    lines,
                    events,
                    sessionId,
                    status,
                    keyId,
                    ledgerIndex,
                    prevIndex,
                    prevSession,
                    sourceAuth,
                    chainHead,
                    sha256,
                    List.copyOf(all));
        }
    }

    private RecordingCheck() {}

    /**
     * Checks a recording file as stored or downloaded, uncompressed or gzip-compressed ({@link StoredEncoding}); the
     * result's SHA-256 is of the uncompressed file, the one the recorder's metadata names.
     */
    public static Result verify(InputStream in, Map<String, PublicKey> trusted) throws IOException {
        return verify(in, trusted, Long.MAX_VALUE);
    }

    /** {@link #verify(InputStream, Map)}, failing with an IOException past {@code maxBytes} uncompressed bytes. */
    public static Result verify(InputStream in, Map<String, PublicKey> trusted, long maxBytes) throws IOException {
        MessageDigest whole = RecordingFormat.sha256();
        MessageDigest lineDigest = RecordingFormat.sha256();
        List<String> problems = new ArrayList<>();
        long lines = 0;
        long events = 0;
        long lastSeq = -1;
        List<long[]> gaps = new ArrayList<>();
        String prev = RecordingFormat.GENESIS;
        String sealJson = null;
        String sealHash = null;
        String signatureLine = null;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(
                        new DigestInputStream(StoredEncoding.decoded(in, maxBytes), whole), StandardCharsets.UTF_8),
                64 * 1024)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines++;
                if (problems.size() >= MAX_PROBLEMS) {
                    continue; // keep reading so the file's SHA-256 is still computed
                }
                if (signatureLine != null) {
                    problems.add("line " + lines + ": content after the signature");
                    continue;
                }
                if (sealJson != null) {
                    signatureLine = line;
                    continue;
                }
                int cut = line.length() - RecordingFormat.SUFFIX_LENGTH;
                if (cut <= 0 || !line.startsWith(RecordingFormat.HASH_FIELD, cut) || !line.endsWith("\"}")) {
                    problems.add("line " + lines + ": no hash field");
                    continue;
                }
                String prefix = line.substring(0, cut);
                String hash = line.substring(cut + RecordingFormat.HASH_FIELD.length(), line.length() - 2);
                if (!RecordingFormat.lineHash(lineDigest, prefix).equals(hash)) {
                    problems.add("line " + lines + ": hash does not match the line's content");
                }
                if (prefix.startsWith(SEAL_HEAD)) {
                    Matcher tail = PREV_TAIL.matcher(prefix);
                    if (!tail.find()) {
                        problems.add("line " + lines + ": seal without prev");
                    } else {
                        if (!prev.equals(tail.group(1))) {
                            problems.add(
                                    "line " + lines + ": chain broken (prev does not name the previous line's hash)");
                        }
                        sealJson = prefix.substring(SEAL_HEAD.length(), tail.start());
                        sealHash = hash;
                    }
                    prev = hash;
                    continue;
                }
                Matcher m = prefix.startsWith(EVENT_HEAD) ? EVENT_PREFIX.matcher(prefix) : null;
                if (m == null || !m.find()) {
                    problems.add("line " + lines + ": not an event line");
                    prev = hash;
                    continue;
                }
                if (!prev.equals(m.group(2))) {
                    problems.add("line " + lines + ": chain broken (prev does not name the previous line's hash)");
                }
                prev = hash;
                long seq = Long.parseLong(m.group(1));
                if (seq <= lastSeq) {
                    problems.add("line " + lines + ": seq " + seq + " does not increase");
                } else if (seq > lastSeq + 1) {
                    gaps.add(new long[] {lastSeq + 1, seq - 1});
                }
                lastSeq = Math.max(lastSeq, seq);
                events++;
            }
        }
        String sha = HexFormat.of().formatHex(whole.digest());
        Seal seal = new Seal();
        if (sealJson == null) {
            problems.add("no seal line: the file is truncated");
        } else {
            seal.read(sealJson, problems);
            checkSignature(seal, sealHash, signatureLine, trusted, problems);
            seal.checkCounts(events, lastSeq, gaps, problems);
        }
        return new Result(
                problems.isEmpty(),
                lines,
                events,
                seal.sessionId,
                seal.status,
                seal.keyId,
                seal.ledgerIndex,
                seal.prevIndex,
                seal.prevSession,
                seal.sourceAuth,
                prev,
                sha,
                List.copyOf(problems));
    }

    private static void checkSignature(
            Seal seal, String sealHash, String signatureLine, Map<String, PublicKey> trusted, List<String> problems) {
        if (!RecordingFormat.FORMAT.equals(seal.format)) {
            problems.add("unsigned recording (format " + seal.format + "): only " + RecordingFormat.FORMAT
                    + " files carry the recorder's signature");
            return;
        }
        if (signatureLine == null) {
            problems.add("unsigned recording: no signature line after the seal");
            return;
        }
        Matcher m = signatureLine.length() <= 512 ? SIGNATURE.matcher(signatureLine) : null;
        if (m == null || !m.matches()) {
            problems.add("signature line is malformed");
            return;
        }
        String keyId = m.group(1);
        if (!keyId.equals(seal.keyId)) {
            problems.add("signature key " + keyId + " is not the key the seal names (" + seal.keyId + ")");
            return;
        }
        if (!m.group(2).equals(sealHash)) {
            problems.add("signature is over another seal");
            return;
        }
        PublicKey key = trusted.get(keyId);
        if (key == null || !SigningKeys.keyId(key).equals(keyId)) {
            problems.add("signed by key " + keyId + ", which is not a trusted key (trusted: " + trusted.keySet() + ")");
            return;
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(m.group(3));
        } catch (IllegalArgumentException e) {
            problems.add("signature line is malformed");
            return;
        }
        if (!SigningKeys.verify(key, RecordingFormat.signedMessage(sealHash), signature)) {
            problems.add("signature does not verify with key " + keyId);
        }
    }

    /** The seal's fields, read after its line hash was checked. */
    private static final class Seal {
        String format;
        String sessionId;
        String status;
        String keyId;
        String sourceAuth;
        long ledgerIndex = -1;
        long prevIndex = -1;
        String prevSession;
        long sealEvents = -1;
        long sealLast = -1;
        final List<long[]> missing = new ArrayList<>();

        void read(String json, List<String> problems) {
            Map<String, Object> m;
            try {
                m = SealJson.object(json);
            } catch (IllegalArgumentException e) {
                problems.add("seal is not JSON (" + e.getMessage() + ")");
                return;
            }
            format = text(m.get("format"));
            sessionId = text(m.get("session_id"));
            status = text(m.get("status"));
            keyId = text(m.get("key_id"));
            sourceAuth = text(m.get("source_auth"));
            sealEvents = number(m.get("events"));
            sealLast = number(m.get("last_seq"));
            if (m.get("missing") instanceof List<?> ranges) {
                for (Object r : ranges) {
                    if (r instanceof List<?> pair && pair.size() == 2) {
                        missing.add(new long[] {number(pair.get(0)), number(pair.get(1))});
                    } else {
                        problems.add("seal: a missing range is not [from, to]");
                    }
                }
            }
            if (m.get("ledger") instanceof Map<?, ?> ledger) {
                ledgerIndex = number(ledger.get("index"));
                prevIndex = number(ledger.get("prev_index"));
                prevSession = text(ledger.get("prev_session"));
            } else if (RecordingFormat.FORMAT.equals(format)) {
                problems.add("seal names no ledger position");
            }
        }

        void checkCounts(long events, long lastSeq, List<long[]> gaps, List<String> problems) {
            if (sealEvents != events) {
                problems.add("seal counts " + sealEvents + " events, the file holds " + events);
            }
            // the seal's ranges may also name seqs after the last line (a missing tail); those are fine
            List<long[]> inFile = missing.stream().filter(r -> r[0] <= lastSeq).toList();
            boolean same = inFile.size() == gaps.size() && sealLast == lastSeq;
            for (int k = 0; same && k < gaps.size(); k++) {
                same = inFile.get(k)[0] == gaps.get(k)[0] && inFile.get(k)[1] == gaps.get(k)[1];
            }
            if (!same) {
                problems.add("seq gaps in the file differ from the missing ranges the seal names");
            }
            if ("complete".equals(status) && !missing.isEmpty()) {
                problems.add("seal says complete but names missing ranges");
            }
        }

        private static String text(Object o) {
            return o instanceof String s ? s : null;
        }

        private static long number(Object o) {
            return o instanceof Long l ? l : -1;
        }
    }
}
