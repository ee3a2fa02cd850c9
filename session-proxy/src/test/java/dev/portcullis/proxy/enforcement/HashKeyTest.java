package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code hash} mask key: one configured key gives one hash everywhere; no key, no hash (ADR 0021). */
class HashKeyTest {

    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    static final String BASE64 = Base64.getEncoder().encodeToString(KEY);
    static final List<MaskRule> HASH_SSN = List.of(new MaskRule("ssn", null, "hash"));

    static String hash(Masker m, String value) {
        return m.apply(Masker.plan(HASH_SSN, "ssn"), value);
    }

    static Masker configured(Optional<String> inline, Optional<String> file, Optional<String> id) {
        return HashKey.load(inline, file, id).map(Masker::new).orElseGet(Masker::withoutHashKey);
    }

    @Test
    void twoMaskersWithTheSameKeyHashAlike(@TempDir Path dir) throws Exception {
        // two pods, one from the environment and one from a mounted Secret file, or one pod before and after a restart
        Path file = dir.resolve("hash-key");
        Files.writeString(file, BASE64 + "\n");
        Masker podA = configured(Optional.of(BASE64), Optional.empty(), Optional.empty());
        Masker podB = configured(Optional.empty(), Optional.of(file.toString()), Optional.empty());
        String a = hash(podA, "123-45-6789");
        assertEquals(a, hash(podB, "123-45-6789"));
        assertTrue(a.matches("hash:[0-9a-f]{8}:[0-9a-f]{16}"), a);
        // detector masking over free text (SSH output, HTTP bodies) hashes with the same key
        String text = podB.applyDetectors(List.of(new MaskRule(null, "email", "hash")), "mail a@b.example now");
        assertEquals("mail " + hash(podA, "a@b.example") + " now", text);
        assertNotEquals(a, hash(podA, "123-45-6788"));
    }

    @Test
    void aRotatedKeyIsToldApartByItsId() {
        byte[] other = "fedcba9876543210fedcba9876543210".getBytes();
        Masker old = new Masker(HashKey.of(KEY));
        Masker rotated = new Masker(HashKey.of(other));
        String before = hash(old, "123-45-6789");
        String after = hash(rotated, "123-45-6789");
        assertNotEquals(before.split(":")[1], after.split(":")[1]);
        Masker named = configured(Optional.of(BASE64), Optional.empty(), Optional.of("2026-11"));
        assertTrue(hash(named, "123-45-6789").startsWith("hash:2026-11:"), hash(named, "123-45-6789"));
        assertEquals(Optional.of("2026-11"), named.hashKeyId());
        // the id names the key; the value part is the same HMAC
        assertEquals(before.split(":")[2], hash(named, "123-45-6789").split(":")[2]);
    }

    @Test
    void withoutAKeyHashRedacts() {
        assertEquals(Optional.empty(), HashKey.load(Optional.empty(), Optional.empty(), Optional.empty()));
        Masker none = configured(Optional.empty(), Optional.empty(), Optional.empty());
        assertEquals(Masker.REDACTED, hash(none, "123-45-6789"));
        assertEquals(
                "mail " + Masker.REDACTED + " now",
                none.applyDetectors(List.of(new MaskRule(null, "email", "hash")), "mail a@b.example now"));
        assertEquals(Optional.empty(), none.hashKeyId());
    }

    @Test
    void anUnusableKeyIsAnErrorThatNamesTheSetting(@TempDir Path dir) {
        String shortKey = Base64.getEncoder().encodeToString(new byte[31]);
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> HashKey.load(Optional.of(shortKey), Optional.empty(), Optional.empty()))
                .getMessage()
                .contains("portcullis.masking.hash-key: the hash key has 31 bytes"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> HashKey.load(Optional.of("not base64 !"), Optional.empty(), Optional.empty()))
                .getMessage()
                .contains("must be base64"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> HashKey.load(
                                Optional.empty(),
                                Optional.of(dir.resolve("missing").toString()),
                                Optional.empty()))
                .getMessage()
                .startsWith("portcullis.masking.hash-key-file: cannot read"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> HashKey.load(Optional.of(BASE64), Optional.of("/x"), Optional.empty()))
                .getMessage()
                .contains("not both"));
        assertThrows(
                IllegalArgumentException.class,
                () -> HashKey.load(Optional.of(BASE64), Optional.empty(), Optional.of("has space")));
        assertThrows(IllegalArgumentException.class, () -> new Masker(new byte[16]));
    }

    @Test
    void theKeyIsNeverPrinted() {
        HashKey k = HashKey.of(KEY, "k1");
        assertEquals("HashKey[id=k1]", k.toString());
    }
}
