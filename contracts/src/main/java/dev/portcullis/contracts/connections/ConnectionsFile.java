package dev.portcullis.contracts.connections;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The connections file (docs/architecture.md "Connections") and its one validation, shared by every service that
 * reads it. A service reads the YAML with its own parser into plain maps, lists and scalars (Jackson's
 * {@code readValue(…, Object.class)}, with duplicate keys rejected) and hands the tree to {@link #validate}; it
 * keeps its own lifecycle (read once, or reloaded).
 *
 * <p>The rules, all checked at once so one pass reports every error:
 *
 * <ul>
 *   <li>the document is a map with the single key {@code connections}: a map of name to connection, maybe empty
 *       ({@code connections: {}}); an empty document is an error;
 *   <li>a name is a DNS label ({@link #NAME_RULE}): it is a scope part ({@code conn:<name>:<access>}), a PostgreSQL
 *       database name, an SSH user part ({@code agent@name}) and an HTTP path prefix or host;
 *   <li>{@code type} (postgres, ssh, kubernetes, http), {@code address} and {@code accessLevels} are required;
 *       postgres also needs {@code database} and ssh {@code knownHosts}; a field a type does not use is an error;
 *   <li>{@code accessLevels} has no default: a connection says which of read, write, admin grants may give (a
 *       forgotten list must not silently mean "read");
 *   <li>{@code credentials} is one block for every level or one block per declared level (read, write, admin),
 *       never a block for a level {@code accessLevels} does not declare; postgres and ssh need credentials, with a
 *       {@code username}; secrets are never inline, only where they are ({@code passwordFile}, …);
 *   <li>{@code maxSessionDuration} is a positive ISO-8601 duration; tag values are scalars;
 *   <li>{@code sessionLimits} (postgres only) holds only the limits {@link SessionLimitsCheck} knows, each valid;
 *   <li>{@code backendAuth} (postgres only) is a non-empty list of {@link BackendAuth} names;
 *   <li>{@code approvers}, when given, is a non-empty list of group names (no control characters, no '/');
 *   <li>an unknown field is an error (a misspelled {@code accesLevels} must not pass unnoticed).
 * </ul>
 */
public final class ConnectionsFile {

    /** The configuration key every service reads the file's path from. */
    public static final String CONFIG_KEY = "portcullis.connections.file";
    /** The environment variable for {@link #CONFIG_KEY}. */
    public static final String ENV = "PORTCULLIS_CONNECTIONS_FILE";

    /** The name rule, as the errors state it. */
    public static final String NAME_RULE =
            "1 to 63 lower-case letters, digits and '-', starting and ending with a letter or digit";

    private static final String CONNECTIONS = "connections";
    private static final String TYPE = "type";
    private static final String ADDRESS = "address";
    private static final String DATABASE = "database";
    private static final String CREDENTIALS = "credentials";
    private static final String ACCESS_LEVELS = "accessLevels";
    private static final String TAGS = "tags";
    private static final String MAX_SESSION_DURATION = "maxSessionDuration";
    private static final String TLS = "tls";
    private static final String KNOWN_HOSTS = "knownHosts";
    private static final String SESSION_LIMITS = "sessionLimits";
    private static final String BACKEND_AUTH = "backendAuth";
    private static final String APPROVERS = "approvers";
    private static final Set<String> CONNECTION_FIELDS = Set.of(
            APPROVERS,
            TYPE,
            ADDRESS,
            DATABASE,
            CREDENTIALS,
            ACCESS_LEVELS,
            TAGS,
            MAX_SESSION_DURATION,
            TLS,
            KNOWN_HOSTS,
            SESSION_LIMITS,
            BACKEND_AUTH);

    private static final String USERNAME = "username";
    private static final String PASSWORD_FILE = "passwordFile";
    private static final String PASSWORD_ENV = "passwordEnv";
    private static final String PRIVATE_KEY_FILE = "privateKeyFile";
    private static final String TOKEN_FILE = "tokenFile";
    private static final String CLIENT_CERT_FILE = "clientCertFile";
    private static final String CLIENT_KEY_FILE = "clientKeyFile";
    private static final Set<String> CREDENTIAL_FIELDS = Set.of(
            USERNAME, PASSWORD_FILE, PASSWORD_ENV, PRIVATE_KEY_FILE, TOKEN_FILE, CLIENT_CERT_FILE, CLIENT_KEY_FILE);
    /** Inline secrets people write by habit, and where the secret goes instead. */
    private static final Map<String, String> INLINE_SECRETS = Map.of(
            "password", "passwordFile or passwordEnv",
            "token", TOKEN_FILE,
            "privateKey", PRIVATE_KEY_FILE,
            "clientKey", CLIENT_KEY_FILE);

    private static final Map<ConnectionType, Set<String>> CREDENTIAL_FIELDS_BY_TYPE = Map.of(
            ConnectionType.POSTGRES, Set.of(USERNAME, PASSWORD_FILE, PASSWORD_ENV),
            ConnectionType.SSH, Set.of(USERNAME, PASSWORD_FILE, PASSWORD_ENV, PRIVATE_KEY_FILE),
            ConnectionType.KUBERNETES,
                    Set.of(USERNAME, PASSWORD_FILE, PASSWORD_ENV, TOKEN_FILE, CLIENT_CERT_FILE, CLIENT_KEY_FILE),
            ConnectionType.HTTP,
                    Set.of(USERNAME, PASSWORD_FILE, PASSWORD_ENV, TOKEN_FILE, CLIENT_CERT_FILE, CLIENT_KEY_FILE));

    private static final Set<String> TLS_FIELDS = Set.of("mode", "caFile", "serverName");

    private ConnectionsFile() {}

    /**
     * The outcome of {@link #validate}: every connection when the file is valid, else no connection and every error.
     * A file is used whole or not at all.
     */
    public record Result(Map<String, Connection> connections, List<ConnectionError> errors) {

        public Result {
            connections = Collections.unmodifiableMap(new LinkedHashMap<>(connections));
            errors = List.copyOf(errors);
        }

        public boolean valid() {
            return errors.isEmpty();
        }

        /** The connections by name, in the file's order; throws when the file is not valid. */
        public Map<String, Connection> orThrow() {
            if (!valid()) {
                throw new InvalidConnectionsFileException(errors);
            }
            return connections;
        }
    }

    /** Whether {@code name} may name a connection ({@link #NAME_RULE}). */
    public static boolean isValidName(String name) {
        if (name == null || name.isEmpty() || name.length() > 63) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            boolean edge = i == 0 || i == name.length() - 1;
            if (!alnum && (edge || c != '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Validates a parsed connections file: {@code document} is what a YAML or JSON parser gives for the whole file
     * (maps, lists, strings, numbers, booleans, null).
     */
    public static Result validate(Object document) {
        List<ConnectionError> errors = new ArrayList<>();
        Map<String, Connection> out = new LinkedHashMap<>();
        if (document == null) {
            // an empty file is more likely a failed mount than a wish for no connections
            errors.add(new ConnectionError(null, null, "the file is empty; 'connections: {}' declares no connection"));
            return new Result(Map.of(), errors);
        }
        if (!(document instanceof Map<?, ?> root)) {
            errors.add(new ConnectionError(null, null, "the file must be a map with the key 'connections'"));
            return new Result(Map.of(), errors);
        }
        for (Object key : root.keySet()) {
            if (!CONNECTIONS.equals(key)) {
                errors.add(new ConnectionError(
                        null, String.valueOf(key), "unknown field; the file has one key, " + "'connections'"));
            }
        }
        Object connections = root.get(CONNECTIONS);
        if (connections instanceof Map<?, ?> byName) {
            for (Map.Entry<?, ?> e : byName.entrySet()) {
                String name = String.valueOf(e.getKey());
                new ConnectionCheck(name, errors).check(e.getValue()).ifPresent(c -> out.put(name, c));
            }
        } else if (connections != null) {
            errors.add(new ConnectionError(null, CONNECTIONS, "must be a map of connection name to connection"));
        }
        return errors.isEmpty() ? new Result(out, errors) : new Result(Map.of(), errors);
    }

    /** The checks of one connection; adds its errors to the shared list. */
    private static final class ConnectionCheck {

        private final String name;
        private final List<ConnectionError> errors;
        private boolean failed;

        ConnectionCheck(String name, List<ConnectionError> errors) {
            this.name = name;
            this.errors = errors;
        }

        private void error(String field, String message) {
            errors.add(new ConnectionError(name, field, message));
            failed = true;
        }

        Optional<Connection> check(Object value) {
            if (!isValidName(name)) {
                error(null, "the name must be " + NAME_RULE);
            }
            if (!(value instanceof Map<?, ?> fields)) {
                error(null, "must be a map of fields (type, address, accessLevels, …)");
                return Optional.empty();
            }
            ConnectionType type = type(fields.get(TYPE));
            String address = address(type, fields.get(ADDRESS));
            String database = onlyFor(type, ConnectionType.POSTGRES, DATABASE, fields.get(DATABASE));
            List<AccessLevel> levels = accessLevels(fields.get(ACCESS_LEVELS));
            Map<AccessLevel, Credentials> credentials = credentials(type, levels, fields.get(CREDENTIALS));
            Map<String, String> tags = tags(fields.get(TAGS));
            Duration maxSessionDuration = duration(fields.get(MAX_SESSION_DURATION));
            Tls tls = tls(type, fields.get(TLS));
            String knownHosts = onlyFor(type, ConnectionType.SSH, KNOWN_HOSTS, fields.get(KNOWN_HOSTS));
            SessionLimits limits = sessionLimits(type, fields.get(SESSION_LIMITS));
            Set<BackendAuth> backendAuth = backendAuth(type, fields.get(BACKEND_AUTH));
            List<String> approvers = approvers(fields.get(APPROVERS));
            for (Object key : fields.keySet()) {
                if (!CONNECTION_FIELDS.contains(String.valueOf(key))) {
                    error(String.valueOf(key), "unknown field");
                }
            }
            if (failed) {
                return Optional.empty();
            }
            return Optional.of(new Connection(
                    name,
                    type,
                    address,
                    database,
                    levels,
                    credentials,
                    tags,
                    maxSessionDuration,
                    tls,
                    knownHosts,
                    limits,
                    backendAuth,
                    approvers));
        }

        private Set<BackendAuth> backendAuth(ConnectionType type, Object value) {
            if (value == null) {
                return BackendAuth.DEFAULT;
            }
            if (type != null && type != ConnectionType.POSTGRES) {
                error(BACKEND_AUTH, "only for type " + ConnectionType.POSTGRES.id());
                return BackendAuth.DEFAULT;
            }
            String expected = "a non-empty list of scram-sha-256, md5, password, none";
            if (!(value instanceof List<?> list) || list.isEmpty()) {
                error(BACKEND_AUTH, "must be " + expected);
                return BackendAuth.DEFAULT;
            }
            Set<BackendAuth> out = EnumSet.noneOf(BackendAuth.class);
            for (Object v : list) {
                Optional<BackendAuth> a = v instanceof String s ? BackendAuth.fromId(s) : Optional.empty();
                if (a.isEmpty()) {
                    error(BACKEND_AUTH, quote(v) + " is not a backend authentication method; " + expected);
                } else {
                    out.add(a.get());
                }
            }
            return out.isEmpty() ? BackendAuth.DEFAULT : out;
        }

        /** Keycloak group names, as the {@code groups} claim carries them (not their paths). */
        private List<String> approvers(Object value) {
            if (value == null) {
                return List.of();
            }
            if (!(value instanceof List<?> list) || list.isEmpty()) {
                error(APPROVERS, "must be a non-empty list of group names such as [dba-oncall]");
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof String g) || g.isBlank() || g.length() > 255 || g.indexOf('/') >= 0) {
                    error(APPROVERS, "each entry must be a group name (1-255 characters, no '/')");
                } else if (g.chars().anyMatch(Character::isISOControl)) {
                    error(APPROVERS, "a group name must not contain control characters");
                } else if (!out.contains(g)) {
                    out.add(g);
                }
            }
            return out;
        }

        private SessionLimits sessionLimits(ConnectionType type, Object value) {
            if (value == null) {
                return SessionLimits.NONE;
            }
            if (type != null && type != ConnectionType.POSTGRES) {
                error(SESSION_LIMITS, "only for type " + ConnectionType.POSTGRES.id());
                return SessionLimits.NONE;
            }
            return SessionLimitsCheck.check(SESSION_LIMITS, value, this::error);
        }

        private ConnectionType type(Object value) {
            if (value == null) {
                error(TYPE, "missing; one of postgres, ssh, kubernetes, http");
                return null;
            }
            Optional<ConnectionType> t = value instanceof String s ? ConnectionType.fromId(s) : Optional.empty();
            if (t.isEmpty()) {
                error(TYPE, quote(value) + " is not a connection type; one of postgres, ssh, kubernetes, http");
                return null;
            }
            return t.get();
        }

        private String address(ConnectionType type, Object value) {
            String address = string(ADDRESS, value);
            if (value == null) {
                error(ADDRESS, "missing; host:port of the target");
                return null;
            }
            if (address == null) {
                return null;
            }
            boolean url = address.startsWith("http://") || address.startsWith("https://");
            if (url && (type == ConnectionType.KUBERNETES || type == ConnectionType.HTTP)) {
                checkUrl(address);
            } else if (url) {
                error(ADDRESS, "a URL is only for types kubernetes and http; use host:port");
            } else {
                checkHostPort(address);
            }
            return address;
        }

        /** The URL is never quoted in an error: its user part could hold a password. */
        private void checkUrl(String address) {
            try {
                URI u = new URI(address);
                if (u.getHost() == null || u.getHost().isEmpty()) {
                    error(ADDRESS, "the URL has no host: scheme://host[:port][/base-path]");
                } else if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
                    error(ADDRESS, "the URL has a user, query or fragment; only scheme://host[:port][/base-path]");
                }
            } catch (URISyntaxException e) {
                error(ADDRESS, "not a URL: scheme://host[:port][/base-path]");
            }
        }

        private void checkHostPort(String address) {
            if (address.indexOf('@') >= 0) {
                // not quoted: a user part could hold a password
                error(ADDRESS, "has a user part; only host:port (credentials go in credentials)");
                return;
            }
            String host;
            String port = null;
            if (address.startsWith("[")) {
                int close = address.indexOf(']');
                String rest = close < 0 ? null : address.substring(close + 1);
                if (close < 0 || !(rest.isEmpty() || rest.startsWith(":"))) {
                    error(ADDRESS, quote(address) + " is not [IPv6-address]:port");
                    return;
                }
                host = address.substring(1, close);
                port = rest.isEmpty() ? null : rest.substring(1);
            } else {
                int colon = address.lastIndexOf(':');
                if (colon >= 0 && address.indexOf(':') != colon) {
                    error(ADDRESS, quote(address) + ": an IPv6 address goes in brackets, e.g. [::1]:5432");
                    return;
                }
                host = colon < 0 ? address : address.substring(0, colon);
                port = colon < 0 ? null : address.substring(colon + 1);
            }
            if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c == '/')) {
                error(ADDRESS, quote(address) + " is not host:port");
            } else if (port != null && !validPort(port)) {
                error(ADDRESS, quote(address) + ": the port must be a number from 1 to 65535");
            }
        }

        private static boolean validPort(String port) {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
            int p = Integer.parseInt(port);
            return p >= 1 && p <= 65535;
        }

        /** A string field only {@code only} has: required there, an error elsewhere. */
        private String onlyFor(ConnectionType type, ConnectionType only, String field, Object value) {
            if (type == null) {
                return string(field, value);
            }
            if (type != only) {
                if (value != null) {
                    error(field, "only for type " + only.id());
                }
                return null;
            }
            if (value == null) {
                error(field, "missing; type " + only.id() + " needs it");
                return null;
            }
            return string(field, value);
        }

        private List<AccessLevel> accessLevels(Object value) {
            if (value == null) {
                error(ACCESS_LEVELS, "missing; list what grants may give, e.g. [read] or [read, write, admin]");
                return List.of();
            }
            if (!(value instanceof List<?> list)) {
                error(ACCESS_LEVELS, "must be a list such as [read, write]");
                return List.of();
            }
            if (list.isEmpty()) {
                error(ACCESS_LEVELS, "must name at least one of read, write, admin");
                return List.of();
            }
            Set<AccessLevel> levels = EnumSet.noneOf(AccessLevel.class);
            for (int i = 0; i < list.size(); i++) {
                Object v = list.get(i);
                Optional<AccessLevel> l = v instanceof String s ? AccessLevel.fromId(s) : Optional.empty();
                if (l.isEmpty()) {
                    error(
                            ACCESS_LEVELS + "[" + i + "]",
                            quote(v) + " is not an access level; one of read, write, admin");
                } else if (!levels.add(l.get())) {
                    error(ACCESS_LEVELS + "[" + i + "]", quote(v) + " is listed twice");
                }
            }
            return List.copyOf(levels); // the order of privilege, whatever the file's order
        }

        private Map<AccessLevel, Credentials> credentials(ConnectionType type, List<AccessLevel> levels, Object value) {
            if (value == null) {
                if (type == ConnectionType.POSTGRES || type == ConnectionType.SSH) {
                    error(CREDENTIALS, "missing; type " + type.id() + " needs a username to log in to the target");
                }
                return Map.of();
            }
            if (!(value instanceof Map<?, ?> block)) {
                error(CREDENTIALS, "must be a map: one block (username, passwordFile, …) or one per access level");
                return Map.of();
            }
            boolean nested = block.values().stream().anyMatch(v -> v instanceof Map<?, ?>);
            boolean flat = block.values().stream().anyMatch(v -> !(v instanceof Map<?, ?>));
            if (nested && flat) {
                error(
                        CREDENTIALS,
                        "either one block (username, passwordFile, …) for every level or one block per "
                                + "access level (read, write, admin), not both");
                return Map.of();
            }
            Map<AccessLevel, Credentials> out = new EnumMap<>(AccessLevel.class);
            if (!nested) {
                Credentials c = credentialBlock(type, CREDENTIALS, block);
                if (c != null) {
                    levels.forEach(l -> out.put(l, c));
                }
                return out;
            }
            for (Map.Entry<?, ?> e : block.entrySet()) {
                String key = String.valueOf(e.getKey());
                String field = CREDENTIALS + "." + key;
                Optional<AccessLevel> level = AccessLevel.fromId(key);
                if (level.isEmpty()) {
                    error(field, "not an access level; credentials per level are keyed read, write or admin");
                } else if (!levels.isEmpty() && !levels.contains(level.get())) {
                    error(field, "given for access level " + key + ", which accessLevels does not declare");
                } else {
                    Credentials c = credentialBlock(type, field, (Map<?, ?>) e.getValue());
                    if (c != null) {
                        out.put(level.get(), c);
                    }
                }
            }
            for (AccessLevel l : levels) {
                if (!block.containsKey(l.id())) {
                    error(
                            CREDENTIALS + "." + l.id(),
                            "missing; with credentials per access level, every level in "
                                    + "accessLevels needs its own block");
                }
            }
            return out;
        }

        /** One credentials block at {@code path}; null when it has errors. */
        private Credentials credentialBlock(ConnectionType type, String path, Map<?, ?> block) {
            int before = errors.size();
            Map<String, String> v = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : block.entrySet()) {
                String key = String.valueOf(e.getKey());
                String field = path + "." + key;
                if (INLINE_SECRETS.containsKey(key)) {
                    // never quote the value: it is a secret
                    error(
                            field,
                            "secrets are never inline in this file; give " + INLINE_SECRETS.get(key)
                                    + " (a file or variable only session-proxy can read)");
                } else if (!CREDENTIAL_FIELDS.contains(key)) {
                    error(field, "unknown field");
                } else if (type != null && !CREDENTIAL_FIELDS_BY_TYPE.get(type).contains(key)) {
                    error(field, "not used by type " + type.id());
                } else if (!(e.getValue() instanceof String s) || s.isBlank()) {
                    error(field, "must be a non-empty string"); // the value is not quoted: it may be a secret
                } else {
                    v.put(key, (String) e.getValue());
                }
            }
            String username = v.get(USERNAME);
            boolean password = v.containsKey(PASSWORD_FILE) || v.containsKey(PASSWORD_ENV);
            if (v.containsKey(PASSWORD_FILE) && v.containsKey(PASSWORD_ENV)) {
                error(path, "give one of passwordFile or passwordEnv, not both");
            }
            if (v.containsKey(PASSWORD_ENV) && !isEnvName(v.get(PASSWORD_ENV))) {
                error(path + "." + PASSWORD_ENV, quote(v.get(PASSWORD_ENV)) + " is not an environment variable name");
            }
            if (type == ConnectionType.POSTGRES || type == ConnectionType.SSH) {
                if (username == null && !block.containsKey(USERNAME)) {
                    error(path + "." + USERNAME, "missing; type " + type.id() + " logs in to the target as a user");
                }
                if (type == ConnectionType.SSH
                        && !password
                        && !v.containsKey(PRIVATE_KEY_FILE)
                        && errors.size() == before) {
                    error(path, "type ssh needs privateKeyFile, passwordFile or passwordEnv");
                }
            } else if (type != null) {
                if (v.containsKey(TOKEN_FILE) && username != null) {
                    error(path, "give one of tokenFile (bearer) or username (basic), not both");
                }
                if (username != null && !password) {
                    error(path + "." + USERNAME, "needs passwordFile or passwordEnv (basic authentication)");
                }
                if (username == null && password && !block.containsKey(USERNAME)) {
                    error(path + "." + USERNAME, "missing; a password is sent with a username (basic authentication)");
                }
                if (v.containsKey(CLIENT_CERT_FILE) != v.containsKey(CLIENT_KEY_FILE)) {
                    error(path, "clientCertFile and clientKeyFile go together");
                }
            }
            if (errors.size() != before) {
                return null;
            }
            return new Credentials(
                    username,
                    v.get(PASSWORD_FILE),
                    v.get(PASSWORD_ENV),
                    v.get(PRIVATE_KEY_FILE),
                    v.get(TOKEN_FILE),
                    v.get(CLIENT_CERT_FILE),
                    v.get(CLIENT_KEY_FILE));
        }

        private static boolean isEnvName(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean ok =
                        c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9');
                if (!ok) {
                    return false;
                }
            }
            return !s.isEmpty();
        }

        private Map<String, String> tags(Object value) {
            if (value == null) {
                return Map.of();
            }
            if (!(value instanceof Map<?, ?> map)) {
                error(TAGS, "must be a map such as { env: prod }");
                return Map.of();
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                Object v = e.getValue();
                if (key.isBlank()) {
                    error(TAGS, "a tag name must not be empty");
                } else if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                    out.put(key, String.valueOf(v));
                } else {
                    error(TAGS + "." + key, "must be a string");
                }
            }
            return out;
        }

        private Duration duration(Object value) {
            if (value == null) {
                return null;
            }
            if (!(value instanceof String s)) {
                error(MAX_SESSION_DURATION, "must be an ISO-8601 duration such as PT30M, PT1H or P1D");
                return null;
            }
            try {
                Duration d = Duration.parse(s);
                if (d.isZero() || d.isNegative()) {
                    error(MAX_SESSION_DURATION, quote(s) + " must be positive");
                    return null;
                }
                return d;
            } catch (DateTimeParseException e) {
                error(MAX_SESSION_DURATION, quote(s) + " is not an ISO-8601 duration such as PT30M, PT1H or P1D");
                return null;
            }
        }

        private Tls tls(ConnectionType type, Object value) {
            if (value == null) {
                return null;
            }
            if (type == ConnectionType.SSH) {
                error(TLS, "not for type ssh (the target's host key is checked against knownHosts)");
                return null;
            }
            if (!(value instanceof Map<?, ?> map)) {
                error(TLS, "must be a map such as { mode: require, caFile: /path/ca.crt }");
                return null;
            }
            for (Object key : map.keySet()) {
                if (!TLS_FIELDS.contains(String.valueOf(key))) {
                    error(TLS + "." + key, "unknown field");
                }
            }
            Tls.Mode mode = null;
            Object m = map.get("mode");
            if (m != null) {
                mode = m instanceof String s ? Tls.Mode.fromId(s).orElse(null) : null;
                if (mode == null) {
                    error(TLS + ".mode", quote(m) + " is not a TLS mode; one of require, disable");
                }
            }
            return new Tls(
                    mode,
                    string(TLS + ".caFile", map.get("caFile")),
                    string(TLS + ".serverName", map.get("serverName")));
        }

        /** A string field (numbers and booleans read as their text); null when absent or wrong. */
        private String string(String field, Object value) {
            if (value == null) {
                return null;
            }
            if (value instanceof Number || value instanceof Boolean) {
                return String.valueOf(value);
            }
            if (!(value instanceof String s) || s.isBlank()) {
                error(field, "must be a non-empty string");
                return null;
            }
            return s;
        }

        private static String quote(Object value) {
            return value instanceof String || value == null ? "'" + value + "'" : String.valueOf(value);
        }
    }
}
