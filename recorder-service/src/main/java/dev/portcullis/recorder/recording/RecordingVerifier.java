package dev.portcullis.recorder.recording;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.recorder.events.JsonSupport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks a downloaded event file: every line's hash, the chain, increasing seq, the seal's event
 * count and missing ranges, and (when given) the SHA-256 and last hash the recorder's metadata
 * names. Runs as a CLI too:
 *
 * <pre>java -cp "target/quarkus-app/app/*:target/quarkus-app/lib/main/*" \
 *     dev.portcullis.recorder.recording.RecordingVerifier recording.jsonl [expected-sha256]</pre>
 */
public final class RecordingVerifier {

    /** At most this many problems are listed; verification stops at the first broken link anyway. */
    private static final int MAX_PROBLEMS = 20;

    public record Result(
            boolean valid,
            long lines,
            long events,
            String status,
            String chainHead,
            String sha256,
            List<String> problems) {}

    private RecordingVerifier() {}

    public static Result verify(InputStream in, String expectedSha256, String expectedChainHead) throws IOException {
        MessageDigest whole = RecordingFormat.sha256();
        MessageDigest lineDigest = RecordingFormat.sha256();
        List<String> problems = new ArrayList<>();
        long lines = 0;
        long events = 0;
        long lastSeq = -1;
        List<long[]> gaps = new ArrayList<>();
        String prev = RecordingFormat.GENESIS;
        JsonNode seal = null;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(new DigestInputStream(in, whole), StandardCharsets.UTF_8), 64 * 1024)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines++;
                if (problems.size() >= MAX_PROBLEMS) {
                    continue; // keep reading so the file's SHA-256 is still computed
                }
                if (seal != null) {
                    problems.add("line " + lines + ": content after the seal");
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
                JsonNode node;
                try {
                    node = JsonSupport.MAPPER.readTree(prefix + "}");
                } catch (IOException e) {
                    problems.add("line " + lines + ": not JSON");
                    prev = hash;
                    continue;
                }
                if (!prev.equals(node.path("prev").asText())) {
                    problems.add("line " + lines + ": chain broken (prev does not name the previous line's hash)");
                }
                prev = hash;
                if (node.has("seal")) {
                    seal = node.get("seal");
                    continue;
                }
                if (!node.path("seq").canConvertToLong() || !node.has("event")) {
                    problems.add("line " + lines + ": not an event line");
                    continue;
                }
                long seq = node.get("seq").longValue();
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
        String status = null;
        if (seal == null) {
            problems.add("no seal line: the file is truncated");
        } else {
            status = seal.path("status").asText(null);
            if (seal.path("events").asLong(-1) != events) {
                problems.add("seal counts " + seal.path("events").asLong(-1) + " events, the file holds " + events);
            }
            List<long[]> sealed = new ArrayList<>();
            seal.path("missing")
                    .forEach(r ->
                            sealed.add(new long[] {r.path(0).asLong(), r.path(1).asLong()}));
            List<long[]> inFile = gaps.stream().toList();
            if (!sameRanges(sealed, inFile, seal.path("last_seq").asLong(-1), lastSeq)) {
                problems.add("seq gaps in the file differ from the missing ranges the seal names");
            }
            if ("complete".equals(status) && !sealed.isEmpty()) {
                problems.add("seal says complete but names missing ranges");
            }
        }
        if (expectedSha256 != null && !expectedSha256.isBlank() && !expectedSha256.equalsIgnoreCase(sha)) {
            problems.add("SHA-256 " + sha + " differs from the expected " + expectedSha256);
        }
        if (expectedChainHead != null && !expectedChainHead.isBlank() && !expectedChainHead.equalsIgnoreCase(prev)) {
            problems.add("last hash differs from the recorded chain head");
        }
        return new Result(problems.isEmpty(), lines, events, status, prev, sha, List.copyOf(problems));
    }

    /** The seal's ranges may also name seqs after the last line (a missing tail); those are fine. */
    private static boolean sameRanges(List<long[]> sealed, List<long[]> inFile, long sealLast, long fileLast) {
        List<long[]> s = new ArrayList<>();
        for (long[] r : sealed) {
            if (r[0] > fileLast) {
                continue;
            }
            s.add(r);
        }
        if (s.size() != inFile.size()) {
            return false;
        }
        for (int i = 0; i < s.size(); i++) {
            if (s.get(i)[0] != inFile.get(i)[0] || s.get(i)[1] != inFile.get(i)[1]) {
                return false;
            }
        }
        return sealLast == fileLast;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: RecordingVerifier <recording.jsonl> [expected-sha256] [expected-chain-head]");
            System.exit(2);
        }
        Result r;
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            r = verify(in, args.length > 1 ? args[1] : null, args.length > 2 ? args[2] : null);
        }
        System.out.println((r.valid() ? "VALID" : "INVALID") + " lines=" + r.lines() + " events=" + r.events()
                + " status=" + r.status() + " sha256=" + r.sha256() + " chain-head=" + r.chainHead());
        r.problems().forEach(p -> System.out.println("  " + p));
        System.exit(r.valid() ? 0 : 1);
    }
}
