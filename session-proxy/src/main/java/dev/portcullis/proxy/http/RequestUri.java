package dev.portcullis.proxy.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A request's path and query as the target will read them, decided once: decoded the way Go's {@code net/url}
 * decodes them for kube-apiserver ({@code req.URL.Path}: every {@code %XX} decoded, {@code %2F} included, {@code +}
 * kept; {@code req.URL.Query()}: pairs split on {@code &}, {@code +} is a space), and re-encoded canonically for
 * forwarding, so the proxy decides on the very bytes it sends and never on the client's spelling
 * (docs/architecture.md "HTTP and Kubernetes gateway"). Whatever two readers could take differently is refused
 * instead: invalid escapes (Go answers 400; other servers pass them on), an encoded {@code /} or {@code \} (a
 * separator to Go, part of a name elsewhere), control characters, bytes that are not UTF-8, {@code .}/{@code ..} and
 * empty segments, {@code ;} in the query (Go drops such pairs, others split on it), and a parameter given twice
 * unless it is a list ({@code command}, {@code ports}).
 *
 * @param path the decoded path, starting with {@code /}; at most one trailing {@code /}
 * @param segments the decoded path segments (no trailing empty one)
 * @param encodedPath the canonical encoding of {@code path}, what the target is sent
 * @param params the decoded query parameters in the client's order
 * @param encodedQuery the canonical encoding of {@code params}, what the target is sent ({@code ""} when none)
 */
public record RequestUri(
        String path, List<String> segments, String encodedPath, List<Param> params, String encodedQuery) {

    /** One decoded query parameter; a key without {@code =} has the value {@code ""}, as in Go. */
    public record Param(String key, String value) {}

    /** Query parameters that are lists by design and may repeat: exec's argv, port-forward's ports. */
    static final Set<String> LIST_PARAMS = Set.of("command", "ports");

    /** The request target cannot be read one way only; the message is safe to show the agent. */
    public static final class AmbiguousException extends Exception {
        AmbiguousException(String message) {
            super(message, null, false, false);
        }
    }

    public RequestUri {
        segments = List.copyOf(segments);
        params = List.copyOf(params);
    }

    /** @param rawQuery the query without {@code ?}; null when the request has none */
    public static RequestUri parse(String rawPath, String rawQuery) throws AmbiguousException {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            throw new AmbiguousException("the path must start with /");
        }
        checkRaw(rawPath, "path");
        if (rawQuery != null) {
            checkRaw(rawQuery, "query");
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || rawPath.indexOf('\\') >= 0) {
            throw new AmbiguousException("an encoded '/' or a '\\' in the path is not accepted");
        }
        String path = unescape(rawPath, false, "path");
        List<String> segments = new ArrayList<>(List.of(path.substring(1).split("/", -1)));
        if (segments.size() > 1 && segments.getLast().isEmpty()) {
            segments.removeLast(); // one trailing slash: kube-apiserver's splitPath trims it
        }
        if (segments.size() == 1 && segments.getFirst().isEmpty()) {
            segments.clear(); // "/"
        }
        StringBuilder encoded = new StringBuilder(rawPath.length() + 8);
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".") || s.equals("..")) {
                throw new AmbiguousException("empty, '.' and '..' path segments are not accepted");
            }
            encoded.append('/').append(escape(s, true));
        }
        if (segments.isEmpty() || path.endsWith("/")) {
            encoded.append('/');
        }
        List<Param> params = parseQuery(rawQuery);
        StringBuilder query = new StringBuilder();
        for (Param p : params) {
            if (!query.isEmpty()) {
                query.append('&');
            }
            query.append(escape(p.key(), false)).append('=').append(escape(p.value(), false));
        }
        return new RequestUri(path, segments, encoded.toString(), params, query.toString());
    }

    /** A request target is ASCII without spaces or controls (RFC 9112 §3.2); anything else is escaped by the client. */
    private static void checkRaw(String raw, String where) throws AmbiguousException {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new AmbiguousException("unescaped space, control or non-ASCII character in the " + where);
            }
        }
    }

    private static List<Param> parseQuery(String rawQuery) throws AmbiguousException {
        List<Param> params = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        Map<String, String> seen = new HashMap<>(); // lower-case key -> key as given
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue; // Go skips empty pairs too
            }
            if (pair.indexOf(';') >= 0) {
                throw new AmbiguousException("';' in the query is not accepted; separate parameters with '&'");
            }
            int eq = pair.indexOf('=');
            String key = unescape(eq < 0 ? pair : pair.substring(0, eq), true, "query");
            String value = eq < 0 ? "" : unescape(pair.substring(eq + 1), true, "query");
            for (int i = 0; i < key.length(); i++) {
                if (key.charAt(i) < 0x20 || key.charAt(i) == 0x7f) {
                    throw new AmbiguousException("control characters in a query parameter name are not accepted");
                }
            }
            String previous = seen.putIfAbsent(key.toLowerCase(Locale.ROOT), key);
            if (previous != null && !(previous.equals(key) && LIST_PARAMS.contains(key))) {
                throw new AmbiguousException("query parameter '" + shorten(key) + "' is given more than once");
            }
            params.add(new Param(key, value));
        }
        return params;
    }

    /** The first value of {@code key} (kube-apiserver reads the first), or null. */
    public String first(String key) {
        for (Param p : params) {
            if (p.key().equals(key)) {
                return p.value();
            }
        }
        return null;
    }

    /** Every value of {@code key}, in order. */
    public List<String> all(String key) {
        return params.stream()
                .filter(p -> p.key().equals(key))
                .map(Param::value)
                .toList();
    }

    /**
     * Go's {@code unescape}: {@code %XX} must have two hex digits (else Go's server answers 400 and other servers
     * guess: refused here); in the query {@code +} is a space. The bytes must be UTF-8 and free of control
     * characters in the path.
     */
    static String unescape(String s, boolean query, String where) throws AmbiguousException {
        if (s.indexOf('%') < 0 && !(query && s.indexOf('+') >= 0)) {
            checkChars(s, query, where);
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '%') {
                if (i + 2 >= in.length || hex(in[i + 1]) < 0 || hex(in[i + 2]) < 0) {
                    throw new AmbiguousException("invalid percent-escape in the " + where);
                }
                out.write(hex(in[i + 1]) << 4 | hex(in[i + 2]));
                i += 2;
            } else if (b == '+' && query) {
                out.write(' ');
            } else {
                out.write(b);
            }
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AmbiguousException("the " + where + " decodes to bytes that are not UTF-8");
        }
        checkChars(decoded, query, where);
        return decoded;
    }

    private static void checkChars(String s, boolean query, String where) throws AmbiguousException {
        if (query) {
            return; // values may hold anything (exec's argv may hold a newline); names are checked by the caller
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new AmbiguousException("control characters in the " + where + " are not accepted");
            }
        }
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /**
     * Go's escaping: a path segment keeps the unreserved characters and {@code $&+,:;=@} (as {@code
     * url.URL.EscapedPath}, with {@code /} escaped since it is inside a segment); a query part keeps only the
     * unreserved ones and writes a space as {@code +} ({@code url.QueryEscape}).
     */
    static String escape(String s, boolean segment) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~';
            if (unreserved || (segment && "$&+,:;=@".indexOf(c) >= 0)) {
                b.append((char) c);
            } else if (!segment && c == ' ') {
                b.append('+');
            } else {
                b.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    static String shorten(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}
