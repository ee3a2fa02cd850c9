package dev.portcullis.recorder.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.recording.LedgerCheck;
import dev.portcullis.contracts.recording.RecordingCheck;
import dev.portcullis.contracts.recording.RecordingFormat;
import dev.portcullis.contracts.recording.SigningKeys;
import dev.portcullis.contracts.recording.VerifyRecordings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tamper matrix of docs/architecture.md "Recordings", on the file alone: each way someone who can write the
 * file (but does not hold the recorder's key) may change it is refused, by the recorder's verifier and by the
 * offline one, and the genuine file passes both.
 */
class RecordingTamperTest {

    static final KeyPair RECORDER = SigningKeys.generate();
    static final KeyPair ATTACKER = SigningKeys.generate();
    static final RecordingSigner SIGNER = new RecordingSigner(RECORDER, List.of());
    static final Map<String, PublicKey> TRUSTED = SigningKeys.byId(List.of(RECORDER.getPublic()));

    static String event(String session, long seq, String text) {
        return "{\"specversion\":\"1.0\",\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"" + session
                + "\",\"seq\":" + seq + ",\"data\":{\"text\":\"" + text + "\"}}";
    }

    static List<String> events(String session, int n) {
        List<String> e = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            e.add(event(session, i, "SELECT " + i));
        }
        return e;
    }

    /** A recording written as the recorder writes it: events at seq 0.., sealed at ledger {@code index}. */
    static byte[] write(
            RecordingSigner signer,
            String session,
            List<String> events,
            long[] seqs,
            List<SeqRange> missing,
            RecordingWriter.LedgerLink link)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordingWriter w = new RecordingWriter(out)) {
            for (int i = 0; i < events.size(); i++) {
                w.append(seqs[i], events.get(i));
            }
            w.seal(
                    new RecordingWriter.SealInfo(
                            session, missing.isEmpty() ? "complete" : "incomplete", missing, true, "hmac-sha256", link),
                    signer);
        }
        return out.toByteArray();
    }

    static long[] seqs(int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = i;
        }
        return s;
    }

    static byte[] genuine() throws IOException {
        return write(SIGNER, "s1", events("s1", 5), seqs(5), List.of(), new RecordingWriter.LedgerLink(7, 6, "s0"));
    }

    static RecordingCheck.Result verify(byte[] file) throws IOException {
        return RecordingVerifier.verify(new ByteArrayInputStream(file), TRUSTED, null);
    }

    static List<String> lines(byte[] file) {
        return new ArrayList<>(Arrays.asList(new String(file, StandardCharsets.UTF_8).split("\n")));
    }

    static byte[] join(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void theGenuineFileVerifiesWithItsSealAndLedgerPosition() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordingWriter.Written written;
        try (RecordingWriter w = new RecordingWriter(out)) {
            w.append(0, "{\"a\":1}");
            w.append(1, "{\"a\":2}");
            written = w.seal(
                    new RecordingWriter.SealInfo(
                            "s1",
                            "complete",
                            List.of(),
                            true,
                            "hmac-sha256",
                            new RecordingWriter.LedgerLink(0, -1, null)),
                    SIGNER);
        }
        byte[] file = out.toByteArray();
        assertThat(written.sha256()).isEqualTo(sha256(file));
        assertThat(written.size()).isEqualTo(file.length);
        RecordingCheck.Result r = RecordingVerifier.verify(
                new ByteArrayInputStream(file),
                TRUSTED,
                new RecordingVerifier.Expected("s1", written.sha256(), written.chainHead()));
        assertThat(r.problems()).isEmpty();
        assertThat(r.valid()).isTrue();
        assertThat(r.events()).isEqualTo(2);
        assertThat(r.lines()).isEqualTo(4); // two events, the seal, the signature
        assertThat(r.keyId()).isEqualTo(SIGNER.keyId()).isEqualTo(SigningKeys.keyId(RECORDER.getPublic()));
        assertThat(r.ledgerIndex()).isZero();
        assertThat(r.prevIndex()).isEqualTo(-1);
        assertThat(r.sourceAuth()).isEqualTo("hmac-sha256");
        List<String> l = lines(file);
        assertThat(l.get(0)).contains("\"prev\":\"" + RecordingFormat.GENESIS + "\"");
        assertThat(l.get(3)).startsWith("{\"signature\":{\"alg\":\"Ed25519\",\"key_id\":\"" + SIGNER.keyId());
    }

    @Test
    void aDroppedEventIsDetectedWithOrWithoutReChaining() throws Exception {
        byte[] original = genuine();
        List<String> l = lines(original);
        l.remove(2);
        RecordingCheck.Result plain = verify(join(l));
        assertThat(plain.valid()).isFalse();
        assertThat(plain.problems()).anyMatch(p -> p.contains("chain broken"));

        // the attacker re-chains and re-seals (the seal's count and gaps made to fit) but cannot sign: the
        // recorder's signature line of the original stays
        List<String> ev = events("s1", 5);
        ev.remove(2);
        byte[] rechained = write(
                new RecordingSigner(ATTACKER, List.of()),
                "s1",
                ev,
                new long[] {0, 1, 3, 4},
                List.of(new SeqRange(2, 2)),
                new RecordingWriter.LedgerLink(7, 6, "s0"));
        List<String> forged = lines(rechained);
        forged.set(forged.size() - 1, l.get(l.size() - 1));
        RecordingCheck.Result r = verify(join(forged));
        assertThat(r.valid()).isFalse();
        // the seal the attacker could write names the attacker's key, the recorder's signature another
        assertThat(r.problems()).anyMatch(p -> p.contains("is not the key the seal names"));
        assertThat(verify(original).valid()).isTrue();
    }

    @Test
    void reorderedEventsAreDetected() throws Exception {
        List<String> l = lines(genuine());
        String one = l.get(1);
        l.set(1, l.get(2));
        l.set(2, one);
        RecordingCheck.Result r = verify(join(l));
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(p -> p.contains("chain broken") || p.contains("does not increase"));
    }

    @Test
    void anEditedEventIsDetectedAndReSigningItNeedsTheRecordersKey() throws Exception {
        byte[] original = genuine();
        String edited = new String(original, StandardCharsets.UTF_8).replace("SELECT 1", "SELECT 9");
        RecordingCheck.Result r = verify(edited.getBytes(StandardCharsets.UTF_8));
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(p -> p.contains("line 2") && p.contains("hash does not match"));

        // edited, re-chained, and the signature line made to name the new seal: the signature does not verify
        List<String> ev = events("s1", 5);
        ev.set(1, event("s1", 1, "SELECT 9"));
        List<String> forged = lines(write(
                new RecordingSigner(ATTACKER, List.of()),
                "s1",
                ev,
                seqs(5),
                List.of(),
                new RecordingWriter.LedgerLink(7, 6, "s0")));
        String attackerSeal = forged.get(forged.size() - 2);
        String newSealHash = attackerSeal.substring(attackerSeal.length() - 66, attackerSeal.length() - 2);
        // the seal names the recorder's key id, as the original did, and the recorder's signature value is kept
        String recorderSig = lines(original).get(6);
        String value = recorderSig.substring(recorderSig.indexOf("\"value\":\"") + 9, recorderSig.length() - 3);
        String attackerKeyId = SigningKeys.keyId(ATTACKER.getPublic());
        String seal = attackerSeal.replace(attackerKeyId, SIGNER.keyId());
        String sealPrefix = seal.substring(0, seal.length() - RecordingFormat.SUFFIX_LENGTH);
        String sealHash = RecordingFormat.lineHash(RecordingFormat.sha256(), sealPrefix);
        forged.set(forged.size() - 2, sealPrefix + RecordingFormat.HASH_FIELD + sealHash + "\"}");
        forged.set(forged.size() - 1, RecordingFormat.signatureLine(SIGNER.keyId(), sealHash, value));
        assertThat(newSealHash).isNotEqualTo(sealHash);
        RecordingCheck.Result resigned = verify(join(forged));
        assertThat(resigned.valid()).isFalse();
        assertThat(resigned.problems()).containsExactly("signature does not verify with key " + SIGNER.keyId());
    }

    @Test
    void anInjectedEventIsDetected() throws Exception {
        List<String> l = lines(genuine());
        // a line with a correct hash of its own, chained to line 2, slipped in after it
        String prev = l.get(1).substring(l.get(1).length() - 66, l.get(1).length() - 2);
        String prefix = "{\"seq\":2,\"prev\":\"" + prev + "\",\"event\":" + event("s1", 2, "DROP TABLE x");
        l.add(
                2,
                prefix + RecordingFormat.HASH_FIELD + RecordingFormat.lineHash(RecordingFormat.sha256(), prefix)
                        + "\"}");
        RecordingCheck.Result r = verify(join(l));
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(p -> p.contains("chain broken") || p.contains("does not increase"));
    }

    @Test
    void aFileReSealedWithAFreshKeyIsRefused() throws Exception {
        // a complete rewrite, consistent in itself, signed by a key the recorder never had
        List<String> ev = events("s1", 5);
        ev.set(3, event("s1", 3, "SELECT harmless"));
        byte[] forged = write(
                new RecordingSigner(ATTACKER, List.of()),
                "s1",
                ev,
                seqs(5),
                List.of(),
                new RecordingWriter.LedgerLink(7, 6, "s0"));
        RecordingCheck.Result r = verify(forged);
        assertThat(r.valid()).isFalse();
        assertThat(r.problems())
                .containsExactly("signed by key " + SigningKeys.keyId(ATTACKER.getPublic())
                        + ", which is not a trusted key (trusted: " + TRUSTED.keySet() + ")");
        // the attacker's own key would accept it: the check is the key, nothing else
        assertThat(RecordingCheck.verify(
                                new ByteArrayInputStream(forged), SigningKeys.byId(List.of(ATTACKER.getPublic())))
                        .valid())
                .isTrue();
    }

    @Test
    void anUnsignedFileIsRefusedWhateverItsFormatSays() throws Exception {
        List<String> l = lines(genuine());
        l.remove(l.size() - 1);
        RecordingCheck.Result stripped = verify(join(l));
        assertThat(stripped.valid()).isFalse();
        assertThat(stripped.problems()).containsExactly("unsigned recording: no signature line after the seal");

        // downgraded to format 1 (as recordings were before signing), seal rehashed: still refused
        String seal = l.get(l.size() - 1).replace(RecordingFormat.FORMAT, RecordingFormat.FORMAT_V1);
        String prefix = seal.substring(0, seal.length() - RecordingFormat.SUFFIX_LENGTH);
        l.set(
                l.size() - 1,
                prefix + RecordingFormat.HASH_FIELD + RecordingFormat.lineHash(RecordingFormat.sha256(), prefix)
                        + "\"}");
        RecordingCheck.Result v1 = verify(join(l));
        assertThat(v1.valid()).isFalse();
        assertThat(v1.problems())
                .anyMatch(p -> p.startsWith("unsigned recording (format " + RecordingFormat.FORMAT_V1));
    }

    @Test
    void truncationAndTrailingContentAreDetected() throws Exception {
        List<String> l = lines(genuine());
        RecordingCheck.Result truncated = verify(join(l.subList(0, 3)));
        assertThat(truncated.valid()).isFalse();
        assertThat(truncated.problems()).anyMatch(p -> p.contains("truncated"));
        l.add(event("s1", 9, "after"));
        RecordingCheck.Result trailing = verify(join(l));
        assertThat(trailing.valid()).isFalse();
        assertThat(trailing.problems()).anyMatch(p -> p.contains("after the signature"));
    }

    @Test
    void gapsMustMatchTheSealsMissingRanges() throws Exception {
        List<String> ev = events("s1", 3);
        RecordingWriter.LedgerLink link = new RecordingWriter.LedgerLink(0, -1, null);
        assertThat(verify(write(SIGNER, "s1", ev, new long[] {0, 1, 4}, List.of(new SeqRange(2, 3)), link))
                        .valid())
                .isTrue();
        RecordingCheck.Result r =
                verify(write(SIGNER, "s1", ev.subList(0, 2), new long[] {0, 4}, List.of(new SeqRange(2, 3)), link));
        assertThat(r.valid()).isFalse();
    }

    @Test
    void theRecordersMetadataNamesTheFileItStored() throws Exception {
        byte[] file = genuine();
        // a genuine recording of another session offered as this one's
        RecordingCheck.Result r = RecordingVerifier.verify(
                new ByteArrayInputStream(file), TRUSTED, new RecordingVerifier.Expected("s2", null, null));
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).containsExactly("the seal names session s1, not s2");
        RecordingCheck.Result sha = RecordingVerifier.verify(
                new ByteArrayInputStream(file), TRUSTED, new RecordingVerifier.Expected("s1", "ab".repeat(32), null));
        assertThat(sha.valid()).isFalse();
        assertThat(sha.problems()).anyMatch(p -> p.contains("SHA-256"));
    }

    @Test
    void aRotatedOutKeyStillVerifiesItsRecordings() throws Exception {
        KeyPair old = SigningKeys.generate();
        byte[] file = write(
                new RecordingSigner(old, List.of()),
                "s1",
                events("s1", 2),
                seqs(2),
                List.of(),
                new RecordingWriter.LedgerLink(0, -1, null));
        RecordingSigner rotated = new RecordingSigner(RECORDER, List.of(old.getPublic()));
        assertThat(RecordingVerifier.verify(new ByteArrayInputStream(file), rotated.trusted(), null)
                        .valid())
                .isTrue();
        assertThat(verify(file).valid()).isFalse();
    }

    static List<byte[]> ledgerOfThree() throws IOException {
        return List.of(
                write(SIGNER, "a", events("a", 2), seqs(2), List.of(), new RecordingWriter.LedgerLink(0, -1, null)),
                write(SIGNER, "b", events("b", 2), seqs(2), List.of(), new RecordingWriter.LedgerLink(1, 0, "a")),
                write(SIGNER, "c", events("c", 2), seqs(2), List.of(), new RecordingWriter.LedgerLink(2, 1, "b")));
    }

    @Test
    void aDeletedWholeRecordingLeavesAGapItsSuccessorVouchesFor() throws Exception {
        List<byte[]> files = ledgerOfThree();
        List<RecordingCheck.Result> all = new ArrayList<>();
        for (byte[] f : files) {
            all.add(verify(f));
        }
        assertThat(LedgerCheck.check(all)).isEmpty();
        assertThat(LedgerCheck.check(List.of(all.get(0), all.get(2))))
                .containsExactly("recording #1 (session b, named by #2) is missing");
        // a genuine recording put in the deleted one's place does not fit the link either
        byte[] other =
                write(SIGNER, "x", events("x", 2), seqs(2), List.of(), new RecordingWriter.LedgerLink(1, 0, "a"));
        assertThat(LedgerCheck.check(List.of(all.get(0), verify(other), all.get(2))))
                .containsExactly("recording #2 names #1 (session b) before it, but #1 is session x");
    }

    @Test
    void theOfflineVerifierTrustsOnlyThePinnedKeys(@TempDir Path dir) throws Exception {
        Path pinned = dir.resolve("recorder.pub");
        Files.writeString(pinned, SigningKeys.publicPem(RECORDER.getPublic()));
        Path foreign = dir.resolve("attacker.pub");
        Files.writeString(foreign, SigningKeys.publicPem(ATTACKER.getPublic()));
        Path downloads = Files.createDirectories(dir.resolve("downloads"));
        List<byte[]> files = ledgerOfThree();
        for (int i = 0; i < files.size(); i++) {
            Files.write(downloads.resolve("r" + i + ".jsonl"), files.get(i));
        }
        assertThat(cli("--key", pinned.toString(), downloads.toString()).status).isZero();

        // the genuine files against another key: refused
        Cli wrongKey = cli("--key", foreign.toString(), downloads.toString());
        assertThat(wrongKey.status).isEqualTo(1);
        assertThat(wrongKey.out).contains("not a trusted key");

        // each tampered download is refused: edited, unsigned, re-sealed with a fresh key, one deleted
        Path edited = dir.resolve("edited.jsonl");
        Files.writeString(edited, new String(files.get(1), StandardCharsets.UTF_8).replace("SELECT 1", "SELECT 2"));
        assertThat(cli("--key", pinned.toString(), edited.toString()).status).isEqualTo(1);
        Path unsigned = dir.resolve("unsigned.jsonl");
        List<String> l = lines(files.get(1));
        Files.write(unsigned, join(l.subList(0, l.size() - 1)));
        assertThat(cli("--key", pinned.toString(), unsigned.toString()).out).contains("unsigned recording");
        Path resealed = dir.resolve("resealed.jsonl");
        Files.write(
                resealed,
                write(
                        new RecordingSigner(ATTACKER, List.of()),
                        "b",
                        events("b", 2),
                        seqs(2),
                        List.of(),
                        new RecordingWriter.LedgerLink(1, 0, "a")));
        assertThat(cli("--key", pinned.toString(), resealed.toString()).status).isEqualTo(1);
        Files.delete(downloads.resolve("r1.jsonl"));
        Cli gap = cli("--key", pinned.toString(), downloads.toString());
        assertThat(gap.status).isEqualTo(1);
        assertThat(gap.out).contains("SET: recording #1 (session b, named by #2) is missing");
        assertThat(cli("--key", pinned.toString()).status).isEqualTo(2);
    }

    /** The file as the recorder stores it: gzip-compressed ({@link StoredFile}, level 6). */
    static byte[] stored(byte[] file, Path dir) throws IOException {
        Path p = Files.createTempFile(dir, "stored", ".jsonl.gz");
        try (StoredFile f = new StoredFile(p, 6)) {
            f.out().write(file);
        }
        return Files.readAllBytes(p);
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Test
    void aCompressedRecordingVerifiesAsTheFileItHoldsAndTamperingStillShows(@TempDir Path dir) throws Exception {
        byte[] file = genuine();
        Path p = dir.resolve("s1.jsonl.gz");
        String storedSha;
        try (StoredFile f = new StoredFile(p, 6)) {
            f.out().write(file);
            f.close();
            assertThat(f.encoding()).isEqualTo("gzip");
            assertThat(f.storedSize()).isEqualTo(Files.size(p));
            storedSha = f.storedSha256();
        }
        byte[] gz = Files.readAllBytes(p);
        assertThat(storedSha).isEqualTo(sha256(gz));
        assertThat(gunzip(gz)).isEqualTo(file);
        assertThat(stored(file, dir))
                .as("the same lines give the same stored bytes")
                .isEqualTo(gz);

        RecordingCheck.Result r = verify(gz);
        assertThat(r.problems()).isEmpty();
        assertThat(r.valid()).isTrue();
        // the SHA-256 the metadata names: the uncompressed file's
        assertThat(r.sha256()).isEqualTo(sha256(file));
        assertThat(RecordingVerifier.verify(
                                new ByteArrayInputStream(gz),
                                TRUSTED,
                                new RecordingVerifier.Expected("s1", sha256(file), r.chainHead()))
                        .valid())
                .isTrue();

        // an edit inside, compressed again: the chain shows it as in the uncompressed file
        byte[] edited = stored(
                new String(file, StandardCharsets.UTF_8)
                        .replace("SELECT 3", "SELECT 4")
                        .getBytes(StandardCharsets.UTF_8),
                dir);
        assertThat(verify(edited).problems()).anyMatch(x -> x.contains("hash does not match"));
        // a cut compressed file cannot be read at all
        assertThatThrownBy(() -> verify(Arrays.copyOf(gz, gz.length - 12))).isInstanceOf(IOException.class);
        // a small upload that inflates to one endless line is refused before it is buffered
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bomb)) {
            byte[] x = new byte[1 << 20];
            Arrays.fill(x, (byte) 'x');
            for (int i = 0; i < 17; i++) {
                out.write(x);
            }
        }
        assertThat(bomb.size()).isLessThan(64 * 1024);
        assertThatThrownBy(() -> verify(bomb.toByteArray()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("line longer");
        assertThatThrownBy(() -> RecordingVerifier.verify(new ByteArrayInputStream(gz), TRUSTED, null, 100))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("more than 100 bytes");
    }

    @Test
    void theOfflineVerifierReadsCompressedDownloadsBesideUncompressedOnes(@TempDir Path dir) throws Exception {
        Path pinned = dir.resolve("recorder.pub");
        Files.writeString(pinned, SigningKeys.publicPem(RECORDER.getPublic()));
        Path downloads = Files.createDirectories(dir.resolve("downloads"));
        List<byte[]> files = ledgerOfThree();
        Files.write(downloads.resolve("r0.jsonl.gz"), stored(files.get(0), dir));
        Files.write(downloads.resolve("r1.jsonl"), files.get(1));
        Files.write(downloads.resolve("r2.jsonl.gz"), stored(files.get(2), dir));
        Cli all = cli("--key", pinned.toString(), downloads.toString());
        assertThat(all.status).as(all.out).isZero();
        assertThat(all.out)
                .contains("VALID " + downloads.resolve("r0.jsonl.gz"), "VALID " + downloads.resolve("r2.jsonl.gz"));
        // the set check sees every file: deleting a compressed one leaves its gap
        Files.delete(downloads.resolve("r1.jsonl"));
        Files.delete(downloads.resolve("r0.jsonl.gz"));
        Files.write(downloads.resolve("r1.jsonl.gz"), stored(files.get(1), dir));
        Files.write(downloads.resolve("r0.jsonl"), files.get(0));
        assertThat(cli("--key", pinned.toString(), downloads.toString()).status).isZero();
        Files.delete(downloads.resolve("r1.jsonl.gz"));
        Cli gap = cli("--key", pinned.toString(), downloads.toString());
        assertThat(gap.status).isEqualTo(1);
        assertThat(gap.out).contains("SET: recording #1 (session b, named by #2) is missing");
    }

    record Cli(int status, String out) {}

    static Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = VerifyRecordings.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(status, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    }
}
