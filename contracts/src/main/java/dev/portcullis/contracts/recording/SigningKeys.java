package dev.portcullis.contracts.recording;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys of recording signatures, in PEM (what {@code openssl genpkey -algorithm ed25519} and
 * {@code openssl pkey -pubout} write). A key's id is a fingerprint of its public key ({@link #keyId}), so a
 * verifier that pins a public key out of band knows its id without trusting anything the recorder says.
 */
public final class SigningKeys {

    private static final Pattern PEM =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    private SigningKeys() {}

    /** {@code ed25519-} and the first 16 hex digits of the SHA-256 of the public key's X.509 (SPKI) encoding. */
    public static String keyId(PublicKey key) {
        byte[] digest = RecordingFormat.sha256().digest(key.getEncoded());
        return "ed25519-" + HexFormat.of().formatHex(digest, 0, 8);
    }

    /** A fresh key pair (dev-stack's `up` and tests; production keys come from a Secret). */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(RecordingFormat.ALG).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is required of every JVM since 15", e);
        }
    }

    /** The key file's text: the private key (PKCS#8) then the public key (SPKI), both PEM. */
    public static String toPem(KeyPair pair) {
        return pem(PRIVATE, pair.getPrivate().getEncoded())
                + pem(PUBLIC, pair.getPublic().getEncoded());
    }

    public static String publicPem(PublicKey key) {
        return pem(PUBLIC, key.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /**
     * Reads a signing key file: a PEM private key and its PEM public key (the JDK cannot derive an Ed25519 public
     * key from the private one), checked to be a pair by signing and verifying a probe.
     */
    public static KeyPair readKeyPair(Path file) throws IOException {
        Map<String, List<byte[]>> blocks = blocks(Files.readString(file, StandardCharsets.US_ASCII));
        List<byte[]> priv = blocks.getOrDefault(PRIVATE, List.of());
        List<byte[]> pub = blocks.getOrDefault(PUBLIC, List.of());
        if (priv.size() != 1 || pub.size() != 1) {
            throw new IOException(file + ": a signing key file holds one PEM PRIVATE KEY and its PUBLIC KEY (found "
                    + priv.size() + " and " + pub.size() + ")");
        }
        try {
            KeyFactory kf = KeyFactory.getInstance(RecordingFormat.ALG);
            PrivateKey privateKey = kf.generatePrivate(new PKCS8EncodedKeySpec(priv.get(0)));
            PublicKey publicKey = kf.generatePublic(new X509EncodedKeySpec(pub.get(0)));
            byte[] probe = "portcullis signing key probe".getBytes(StandardCharsets.US_ASCII);
            if (!verify(publicKey, probe, sign(privateKey, probe))) {
                throw new IOException(file + ": the public key is not the private key's");
            }
            return new KeyPair(publicKey, privateKey);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not an Ed25519 key (" + e.getMessage() + ")", e);
        }
    }

    /** Every PEM public key in a file (a pinned key, or a bundle of them). */
    public static List<PublicKey> readPublicKeys(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<PublicKey> keys = new ArrayList<>();
        for (byte[] der : blocks(text).getOrDefault(PUBLIC, List.of())) {
            keys.add(publicKey(der, file.toString()));
        }
        if (keys.isEmpty()) {
            throw new IOException(file + ": no PEM PUBLIC KEY in it");
        }
        return keys;
    }

    /** A public key from PEM text or bare Base64 of its SPKI encoding (as the keys endpoint publishes it). */
    public static PublicKey parsePublicKey(String text) throws IOException {
        List<byte[]> pem = blocks(text).getOrDefault(PUBLIC, List.of());
        if (pem.size() == 1) {
            return publicKey(pem.get(0), "key");
        }
        try {
            return publicKey(Base64.getDecoder().decode(text.strip()), "key");
        } catch (IllegalArgumentException e) {
            throw new IOException("not a PEM or Base64 public key", e);
        }
    }

    private static PublicKey publicKey(byte[] der, String where) throws IOException {
        try {
            return KeyFactory.getInstance(RecordingFormat.ALG).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IOException(where + ": not an Ed25519 public key (" + e.getMessage() + ")", e);
        }
    }

    /** Trusted keys by id. */
    public static Map<String, PublicKey> byId(List<PublicKey> keys) {
        Map<String, PublicKey> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(keyId(k), k));
        return m;
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature s = Signature.getInstance(RecordingFormat.ALG);
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the recording key: " + e.getMessage(), e);
        }
    }

    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(RecordingFormat.ALG);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Map<String, List<byte[]>> blocks(String text) throws IOException {
        Map<String, List<byte[]>> out = new LinkedHashMap<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            try {
                out.computeIfAbsent(m.group(1), k -> new ArrayList<>())
                        .add(Base64.getMimeDecoder().decode(m.group(2)));
            } catch (IllegalArgumentException e) {
                throw new IOException("bad Base64 in a PEM " + m.group(1), e);
            }
        }
        return out;
    }
}
