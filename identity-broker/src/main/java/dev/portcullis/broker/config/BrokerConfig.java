package dev.portcullis.broker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed settings of identity-broker (prefix {@code portcullis}). */
@ConfigMapping(prefix = "portcullis")
public interface BrokerConfig {

    Keycloak keycloak();

    Connections connections();

    Tokens tokens();

    AccessRequests accessRequests();

    Reviews reviews();

    Grants grants();

    Notifications notifications();

    Console console();

    Agents agents();

    ControlEvents controlEvents();

    /**
     * The broker's signature on what it publishes to review-decisions and identity-events (docs/architecture.md
     * "Events", docs/adr/0029): session-proxy believes a review approval only when a key it pins signed it.
     */
    interface ControlEvents {
        /**
         * A file with the Ed25519 private key (PKCS#8 PEM) and its public key (SPKI PEM), as {@code openssl genpkey
         * -algorithm ed25519} and {@code openssl pkey -pubout} write them: a mounted Secret in production, made by
         * `up` for a dev stack. Required: without it the broker does not start.
         */
        Optional<String> signingKeyFile();
    }

    /** How the broker reaches Keycloak (the realm is the only token issuer). */
    interface Keycloak {
        /** Base URL, e.g. {@code http://127.0.0.1:8180}. */
        String url();

        @WithDefault("portcullis")
        String realm();

        /** The broker's own confidential client (admin API and token exchange). */
        @WithDefault("identity-broker")
        String clientId();

        /** Secret of the broker's client; from a Kubernetes Secret or env var in production. */
        String clientSecret();

        /** Audience every session token carries; also the audience mapper of the {@code conn:} scopes. */
        @WithDefault("session-proxy")
        String sessionAudience();

        /** Timeout of a single call to Keycloak's token endpoint. */
        @WithDefault("5s")
        Duration timeout();
    }

    /** The connections file (docs/architecture.md "Connections"); only names, access levels and tags are read. */
    interface Connections {
        /** Path of the YAML file. Empty: no connections. */
        Optional<String> file();

        /** How often the file is checked for changes. */
        @WithDefault("10s")
        Duration reloadInterval();
    }

    /** Session tokens minted by {@code POST /v1/tokens}. */
    interface Tokens {
        /**
         * Lifespan Keycloak gives minted tokens. The broker sets it as {@code access.token.lifespan}
         * on its own client at start (Keycloak takes a token's lifetime from the exchanging client).
         */
        @WithDefault("5m")
        Duration lifespan();

        /** Host session-proxy's PostgreSQL listener is reached at, for connection hints. */
        @WithDefault("127.0.0.1")
        String proxyPgHost();

        @WithDefault("15432")
        int proxyPgPort();

        /** Host session-proxy's SSH listener is reached at, for connection hints. */
        @WithDefault("127.0.0.1")
        String proxySshHost();

        @WithDefault("2222")
        int proxySshPort();

        /** Base URL of session-proxy's HTTP/Kubernetes listener, for connection hints. */
        @WithDefault("http://127.0.0.1:8084")
        String proxyHttpUrl();
    }

    /** Just-in-time access requests. */
    interface AccessRequests {
        /** Longest grant a request may ask for. */
        @WithDefault("8h")
        Duration maxDuration();

        /** A pending request expires when nobody decides within this time. */
        @WithDefault("24h")
        Duration pendingTimeout();

        /**
         * Connection tags ({@code key=value}) that need a second, distinct approver. Default:
         * production.
         */
        @WithDefault("env=prod")
        List<String> twoPersonTags();
    }

    /** Command reviews held by session-proxy. */
    interface Reviews {
        /** A review nobody decides expires after this, unless the request says sooner. */
        @WithDefault("10m")
        Duration timeout();

        /** Whether the owner of an agent may approve that agent's reviews. */
        @WithDefault("false")
        boolean allowOwnerApproval();

        /**
         * Connection tags ({@code key=value}) whose reviews need a second, distinct approver, as access requests do.
         * Default: production.
         */
        @WithDefault("env=prod")
        List<String> twoPersonTags();
    }

    /** Grant housekeeping. */
    interface Grants {
        /** How often expired grants, requests and reviews are swept. */
        @WithDefault("5s")
        Duration sweepInterval();
    }

    /** Agent registration. */
    interface Agents {
        /**
         * Where a {@code private_key_jwt} agent's {@code jwksUrl} may point (Keycloak fetches it, so it is a request
         * Keycloak makes on the caller's behalf): {@code public} (the default) only https to a host whose every
         * address is public; {@code private} https to any address, loopback and private ranges too; {@code insecure}
         * http as well (a local dev stack only).
         */
        @WithDefault("public")
        JwksUrlTargets jwksUrlTargets();
    }

    /** See {@link Agents#jwksUrlTargets()}. */
    enum JwksUrlTargets {
        PUBLIC,
        PRIVATE,
        INSECURE
    }

    /** Optional Slack-compatible webhook for new access requests and reviews. */
    interface Notifications {
        Optional<String> webhookUrl();
    }

    /** The web console (console/), which the webhook's messages link to. */
    interface Console {
        /**
         * The console's public base URL ({@code PORTCULLIS_CONSOLE_URL}), e.g. {@code https://console.example.com}:
         * a new review's message links to its {@code /reviews}, an access request's to its {@code /access-requests}.
         * Unset: no link. An absolute http(s) URL without user info, query or fragment, or the broker does not start.
         */
        Optional<String> url();
    }

    /** Parsed {@link AccessRequests#twoPersonTags()}. */
    static Map<String, String> parseTags(List<String> tags) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String t : tags) {
            int eq = t.indexOf('=');
            if (eq > 0) {
                out.put(t.substring(0, eq).trim(), t.substring(eq + 1).trim());
            }
        }
        return out;
    }
}
