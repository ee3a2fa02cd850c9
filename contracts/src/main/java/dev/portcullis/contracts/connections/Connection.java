package dev.portcullis.contracts.connections;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One target of the connections file, as {@link ConnectionsFile#validate} returns it: every field checked, defaults
 * applied. Built by the validation (tests build their own); services read what they need of it.
 *
 * @param name the connection's name (a DNS label: see {@link ConnectionsFile#NAME_RULE})
 * @param type the protocol
 * @param address {@code host:port} ({@code [v6]:port}), the port optional; for kubernetes and http also a URL
 *     {@code http(s)://host[:port][/base-path]}
 * @param database postgres: the database on the target; null for the other types
 * @param accessLevels the levels grants may give, in the order of privilege (narrowest first), never empty
 * @param credentials the credentials for each access level: one block serves every declared level, or each level
 *     has its own (so the target itself enforces what a grant allows, e.g. a read-only database role); empty when
 *     the connection has none (kubernetes and http may have none)
 * @param tags labels policy decides on ({@code env: prod}); empty when none
 * @param maxSessionDuration how long one session may last; null: no limit from the file
 * @param tls TLS toward the target; null when the file has no {@code tls} block
 * @param knownHosts ssh: the known_hosts file the target's host key is checked against; null for the other types
 * @param sessionLimits postgres: limits on each agent session (statement and lock timeouts, …); {@link
 *     SessionLimits#NONE} when the file gives none (the proxy's defaults apply), never null
 * @param backendAuth postgres: how the target may authenticate the proxy ({@link BackendAuth}); {@link
 *     BackendAuth#DEFAULT} (SCRAM only) when the file does not say, never null or empty
 * @param approvers the groups whose members (with the realm role {@code approver}) decide this connection's command
 *     reviews and access requests; empty: every approver may
 */
public record Connection(
        String name,
        ConnectionType type,
        String address,
        String database,
        List<AccessLevel> accessLevels,
        Map<AccessLevel, Credentials> credentials,
        Map<String, String> tags,
        Duration maxSessionDuration,
        Tls tls,
        String knownHosts,
        SessionLimits sessionLimits,
        Set<BackendAuth> backendAuth,
        List<String> approvers) {

    public Connection {
        accessLevels = List.copyOf(accessLevels);
        credentials = Map.copyOf(credentials);
        tags = Map.copyOf(tags);
        sessionLimits = sessionLimits == null ? SessionLimits.NONE : sessionLimits;
        backendAuth = backendAuth == null || backendAuth.isEmpty() ? BackendAuth.DEFAULT : Set.copyOf(backendAuth);
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }

    /** A connection every approver may decide for. */
    public Connection(
            String name,
            ConnectionType type,
            String address,
            String database,
            List<AccessLevel> accessLevels,
            Map<AccessLevel, Credentials> credentials,
            Map<String, String> tags,
            Duration maxSessionDuration,
            Tls tls,
            String knownHosts,
            SessionLimits sessionLimits,
            Set<BackendAuth> backendAuth) {
        this(
                name,
                type,
                address,
                database,
                accessLevels,
                credentials,
                tags,
                maxSessionDuration,
                tls,
                knownHosts,
                sessionLimits,
                backendAuth,
                List.of());
    }

    /** A connection whose target must authenticate with SCRAM ({@link BackendAuth#DEFAULT}). */
    public Connection(
            String name,
            ConnectionType type,
            String address,
            String database,
            List<AccessLevel> accessLevels,
            Map<AccessLevel, Credentials> credentials,
            Map<String, String> tags,
            Duration maxSessionDuration,
            Tls tls,
            String knownHosts,
            SessionLimits sessionLimits,
            List<String> approvers) {
        this(
                name,
                type,
                address,
                database,
                accessLevels,
                credentials,
                tags,
                maxSessionDuration,
                tls,
                knownHosts,
                sessionLimits,
                BackendAuth.DEFAULT,
                approvers);
    }

    /** A connection with SCRAM only and every approver ({@link BackendAuth#DEFAULT}). */
    public Connection(
            String name,
            ConnectionType type,
            String address,
            String database,
            List<AccessLevel> accessLevels,
            Map<AccessLevel, Credentials> credentials,
            Map<String, String> tags,
            Duration maxSessionDuration,
            Tls tls,
            String knownHosts,
            SessionLimits sessionLimits) {
        this(
                name,
                type,
                address,
                database,
                accessLevels,
                credentials,
                tags,
                maxSessionDuration,
                tls,
                knownHosts,
                sessionLimits,
                BackendAuth.DEFAULT,
                List.of());
    }

    /** A connection without {@code sessionLimits} (the proxy's defaults apply). */
    public Connection(
            String name,
            ConnectionType type,
            String address,
            String database,
            List<AccessLevel> accessLevels,
            Map<AccessLevel, Credentials> credentials,
            Map<String, String> tags,
            Duration maxSessionDuration,
            Tls tls,
            String knownHosts) {
        this(
                name,
                type,
                address,
                database,
                accessLevels,
                credentials,
                tags,
                maxSessionDuration,
                tls,
                knownHosts,
                SessionLimits.NONE);
    }

    /** The credentials for a session at {@code level}; empty when the connection has none for it. */
    public Optional<Credentials> credentials(AccessLevel level) {
        return Optional.ofNullable(credentials.get(level));
    }

    /** Whether the file gives credentials per access level (else one block, or none, serves every level). */
    public boolean credentialsPerLevel() {
        Credentials first = null;
        for (Credentials k : credentials.values()) {
            if (first == null) {
                first = k;
            } else if (k != first) {
                return true;
            }
        }
        return false;
    }

    /** Whether grants may give {@code level} on this connection. */
    public boolean offers(AccessLevel level) {
        return accessLevels.contains(level);
    }
}
