package dev.portcullis.proxy.enforcement;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The HMAC key of the {@code hash} mask strategy, shared by every proxy pod so that one value hashes the same on
 * every protocol, pod and restart (docs/architecture.md "Policy", ADR 0021). Configured as base64 of at least
 * {@value #MIN_BYTES} bytes, inline ({@code portcullis.masking.hash-key}, e.g. from a Kubernetes Secret through
 * the environment) or in a file ({@code hash-key-file}, e.g. a mounted Secret). Its {@code id} goes into every
 * hash ({@code hash:<id>:<hex>}), so that hashes made with a rotated key are told apart: by default a short
 * fingerprint of the key, or {@code hash-key-id}.
 */
public final class HashKey {

    public static final int MIN_BYTES = 32;
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,32}");

    private final byte[] secret;
    private final String id;

    HashKey(byte[] secret, String id) {
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException(
                    "the hash key has " + secret.length + " bytes; at least " + MIN_BYTES + " are required");
        }
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("the hash key id must match " + ID.pattern());
        }
        this.secret = secret.clone();
        this.id = id;
    }

    /** A key with the default id: the first 8 hex digits of a SHA-256 of the key (it reveals nothing of it). */
    public static HashKey of(byte[] secret) {
        return new HashKey(secret, fingerprint(secret));
    }

    public static HashKey of(byte[] secret, String id) {
        return new HashKey(secret, id);
    }

    /**
     * The key the settings give, or empty when neither {@code inline} nor {@code file} is set. Throws
     * {@link IllegalArgumentException} with a message naming the setting when a set key is unusable: both set,
     * unreadable file, not base64, too short, malformed id.
     */
    public static Optional<HashKey> load(Optional<String> inline, Optional<String> file, Optional<String> id) {
        if (inline.isPresent() && file.isPresent()) {
            throw new IllegalArgumentException(
                    "set one of portcullis.masking.hash-key and portcullis.masking.hash-key-file, not both");
        }
        String text;
        String setting;
        if (inline.isPresent()) {
            text = inline.get();
            setting = "portcullis.masking.hash-key";
        } else if (file.isPresent()) {
            setting = "portcullis.masking.hash-key-file";
            try {
                text = Files.readString(Path.of(file.get()), StandardCharsets.US_ASCII);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(setting + ": cannot read " + file.get() + ": " + e.getMessage());
            }
        } else {
            return Optional.empty();
        }
        byte[] secret;
        try {
            secret = Base64.getMimeDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " must be base64 (e.g. openssl rand -base64 32)");
        }
        try {
            return Optional.of(id.isPresent() ? new HashKey(secret, id.get()) : of(secret));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    public String id() {
        return id;
    }

    byte[] secret() {
        return secret.clone();
    }

    private static String fingerprint(byte[] secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("portcullis hash key id\n".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha.digest(secret)).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "HashKey[id=" + id + "]"; // never the key
    }
}
