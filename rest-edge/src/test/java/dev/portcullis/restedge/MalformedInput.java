package dev.portcullis.restedge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What every service's {@code MalformedInputTest} needs to build bad requests and read the answers. */
public final class MalformedInput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MalformedInput() {}

    /** Sends a request head as is to {@code localhost:port} and reads the whole response (the server closes). */
    public static String raw(int port, String head) {
        try (Socket s = new Socket("localhost", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode read(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + shorten(s), e);
        }
    }

    /** Every field of a body, nested ones as {@code a.b}. */
    public static List<String> fields(ObjectNode node) {
        List<String> out = new ArrayList<>();
        node.properties().forEach(f -> {
            out.add(f.getKey());
            if (f.getValue() instanceof ObjectNode inner) {
                fields(inner).forEach(n -> out.add(f.getKey() + "." + n));
            }
        });
        return out;
    }

    /** Sets the field at {@code path} ({@code a.b} for a nested one). */
    public static void set(ObjectNode node, String path, JsonNode value) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            node.set(path, value);
        } else {
            set((ObjectNode) node.get(path.substring(0, dot)), path.substring(dot + 1), value);
        }
    }

    /** Percent-encodes a value for a path or query (a space as {@code %20}). */
    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A value short enough for an assertion message, NUL made visible. */
    public static String shorten(String s) {
        String v = s == null ? "null" : s.replace("\u0000", "\\0");
        return v.length() > 80 ? v.substring(0, 80) + "…(" + v.length() + ")" : v;
    }
}
