package dev.portcullis.proxy.pg;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.Credentials;
import dev.portcullis.contracts.connections.SessionLimits;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.pg.codec.PgProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The StartupMessage parameters of an agent session's backend connection (docs/architecture.md "Connections"): what
 * the proxy sets itself, and which of the client's own parameters it passes on. Pure: no I/O.
 *
 * <ul>
 *   <li>{@code user} and {@code database}: the connection's credential for the session's access level and its
 *       database, never what the client sent;
 *   <li>{@code client_encoding=UTF8} always. The client's value is not forwarded: in SJIS, BIG5, GBK, GB18030, UHC
 *       and JOHAB a multi-byte character may end in the byte {@code \}, which the proxy's lexer would read as an
 *       escape and PostgreSQL would not, so the two would split statements differently. A client that asks for
 *       another encoding than UTF8 (or SQL_ASCII, which promises nothing) is refused: it would otherwise send bytes
 *       in one encoding that the backend reads in another;
 *   <li>{@code default_transaction_read_only=on} for {@code read}, besides the same setting on the read role itself
 *       ({@link ReadRoleAudit});
 *   <li>{@code statement_timeout}, {@code idle_in_transaction_session_timeout}, {@code lock_timeout}: the
 *       connection's {@code sessionLimits}, else the proxy's defaults. {@code temp_file_limit} is not here: only a
 *       superuser may set it at login, so it is set on the role and checked by the read-role audit;
 *   <li>of the client's parameters only {@link #FORWARDED}: display settings and {@code search_path}. Never
 *       {@code options} (it sets any parameter, {@code -c default_transaction_read_only=off} included),
 *       {@code replication}, or a setting the proxy decides itself.
 * </ul>
 *
 * <p>{@code search_path} is forwarded, since JDBC's {@code currentSchema} and libpq users set it at login and
 * dropping it silently would send their statements to another schema; but a path that names {@code pg_catalog} after
 * another schema is refused: PostgreSQL searches {@code pg_catalog} first only when the path leaves it out or names
 * it first, and otherwise a function of that other schema would shadow a built-in one the proxy decided on by name.
 * A {@code SET search_path} later in the session is a statement like any other, decided by the proxy.
 */
public final class BackendStartup {

    /** The client's startup parameters passed on as they are (after {@link #checkClient}). */
    public static final Set<String> FORWARDED =
            Set.of("application_name", "DateStyle", "TimeZone", "extra_float_digits", "IntervalStyle", "search_path");

    /** The one client encoding of every backend session. */
    public static final String CLIENT_ENCODING = "UTF8";

    /** Client encodings accepted (spelled as PostgreSQL compares them: lower case, letters and digits only). */
    private static final Set<String> ACCEPTED_ENCODINGS = Set.of("utf8", "unicode", "sqlascii");

    private BackendStartup() {}

    /** Why the proxy will not open the session: an ErrorResponse (FATAL) with this SQLSTATE and message. */
    public record Refusal(String sqlstate, String message) {}

    /** The backend's StartupMessage parameters, or why there is none. */
    public record Result(Map<String, String> parameters, Refusal refusal) {

        static Result of(Map<String, String> parameters) {
            return new Result(parameters, null);
        }

        static Result refused(Refusal refusal) {
            return new Result(Map.of(), refusal);
        }

        public boolean refused() {
            return refusal != null;
        }
    }

    /**
     * Checks the client's StartupMessage parameters before its token is asked for: empty when the proxy can serve
     * them, else the refusal to send (FATAL) before closing.
     */
    public static Optional<Refusal> checkClient(Map<String, String> client) {
        String encoding = client.get("client_encoding");
        if (encoding != null && !ACCEPTED_ENCODINGS.contains(normalizeEncoding(encoding))) {
            return Optional.of(new Refusal(
                    PgProtocol.SQLSTATE_FEATURE_NOT_SUPPORTED,
                    "client_encoding \"" + printable(encoding) + "\" is not supported through Portcullis: sessions"
                            + " use UTF8 (set PGCLIENTENCODING=UTF8 or the driver's encoding to UTF8)"));
        }
        String searchPath = client.get("search_path");
        if (searchPath != null) {
            int catalog = schemas(searchPath).indexOf("pg_catalog");
            if (catalog > 0) {
                return Optional.of(new Refusal(
                        PgProtocol.SQLSTATE_FEATURE_NOT_SUPPORTED,
                        "search_path must not name pg_catalog after another schema: functions there would shadow"
                                + " the built-in ones (leave pg_catalog out or name it first)"));
            }
        }
        return Optional.empty();
    }

    /**
     * The parameters of the backend's StartupMessage for a session at {@code access} logging in as {@code
     * credentials}, or the refusal {@link #checkClient} gives.
     *
     * @param client the client's StartupMessage parameters
     * @param defaults the proxy's session limits ({@link #defaults}), for what the connection leaves open
     */
    public static Result parameters(
            Connection connection,
            Credentials credentials,
            AccessLevel access,
            Map<String, String> client,
            SessionLimits defaults) {
        Optional<Refusal> refusal = checkClient(client);
        if (refusal.isPresent()) {
            return Result.refused(refusal.get());
        }
        Map<String, String> p = new LinkedHashMap<>();
        p.put("user", credentials.username());
        p.put("database", connection.database());
        client.forEach((k, v) -> {
            if (FORWARDED.contains(k)) {
                p.put(k, v);
            }
        });
        p.put("client_encoding", CLIENT_ENCODING);
        if (access == AccessLevel.READ) {
            p.put("default_transaction_read_only", "on");
        }
        SessionLimits limits = connection.sessionLimits().orElse(defaults);
        putTimeout(p, "statement_timeout", limits.statementTimeout());
        putTimeout(p, "idle_in_transaction_session_timeout", limits.idleInTransactionSessionTimeout());
        putTimeout(p, "lock_timeout", limits.lockTimeout());
        return Result.of(p);
    }

    /** The proxy-wide session limits ({@code portcullis.pg.session-limits.*}). */
    public static SessionLimits defaults(ProxyConfig.SessionLimitDefaults config) {
        return new SessionLimits(
                config.statementTimeout(),
                config.idleInTransactionSessionTimeout(),
                config.lockTimeout(),
                config.tempFileLimit());
    }

    private static void putTimeout(Map<String, String> p, String name, Duration d) {
        if (d != null && d.toMillis() > 0) {
            p.put(name, Math.min(d.toMillis(), Integer.MAX_VALUE) + "ms");
        }
    }

    /** An encoding name as PostgreSQL compares them ({@code UTF-8}, {@code utf_8} and {@code UTF8} are one). */
    static String normalizeEncoding(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                b.append(Character.toLowerCase(c));
            }
        }
        return b.toString();
    }

    /**
     * The schemas of a {@code search_path} value as PostgreSQL reads it: comma-separated, an unquoted name folded to
     * lower case, a double-quoted one kept as written ({@code ""} is a quote).
     */
    static List<String> schemas(String searchPath) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < searchPath.length(); i++) {
            char c = searchPath.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < searchPath.length() && searchPath.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else if (!Character.isWhitespace(c)) {
                cur.append(Character.toLowerCase(c));
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return t.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? t.toUpperCase(Locale.ROOT) : "(unprintable)";
    }
}
