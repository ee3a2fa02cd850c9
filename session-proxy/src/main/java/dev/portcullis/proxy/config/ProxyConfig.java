package dev.portcullis.proxy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** session-proxy settings (prefix {@code portcullis}); see the module README for each key. */
@ConfigMapping(prefix = "portcullis")
public interface ProxyConfig {

    Connections connections();

    Pg pg();

    Ssh ssh();

    Http http();

    Token token();

    Policy policy();

    Review review();

    Events events();

    Kafka kafka();

    Masking masking();

    EventAuth eventAuth();

    /**
     * Source authentication of session events (docs/architecture.md "Events", {@code authtag}): the secret this
     * proxy shares with the recorder, from which each session's tagging key is derived. The same key as the
     * recorder's {@code portcullis.event-auth.key-file}; required while events are enabled.
     */
    interface EventAuth {
        /** A file holding Base64 of 32+ random bytes (a mounted Secret; `up` makes one). */
        Optional<String> keyFile();
    }

    ControlEvents controlEvents();

    /**
     * The broker's signature on review-decisions and identity-events (docs/architecture.md "Events", {@code
     * signature}): a {@code review.approved} is believed only when signed by a key pinned here. Required while events
     * are enabled.
     */
    interface ControlEvents {
        /**
         * Files or directories of PEM public keys (every {@code *.pem} and {@code *.pub} of a directory): the
         * broker's current key and, during a rotation, its next one (a mounted Secret; `up` gives its own).
         */
        Optional<List<String>> publicKeys();
    }

    Shutdown shutdown();

    /** A rolling deploy drains a pod (docs/architecture.md "Deployment"). */
    interface Shutdown {
        /**
         * How long live sessions may go on after the shutdown began (new ones are refused); then they are ended
         * with their protocol's message. With {@code quarkus.shutdown.delay} before it, under the pod's {@code
         * terminationGracePeriodSeconds}.
         */
        @WithDefault("20s")
        Duration drainTimeout();
    }

    /**
     * Who may connect without TLS. The modes are enums, so a misspelled value stops the proxy at start instead
     * of meaning the default.
     */
    enum Plaintext {
        /** Only from 127.0.0.0/8 and ::1. */
        LOOPBACK,
        /** Nobody: TLS or nothing. */
        NEVER,
        /** Anyone (not for production). */
        ANY;

        /** As configured ({@code loopback}), for logs. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a PostgreSQL session's decision cache keys on. */
    enum DecisionCache {
        /** The statement with literals and parameter values left out. */
        SHAPE,
        /** The exact text and parameters. */
        EXACT,
        /** No cache: every statement is decided. */
        OFF;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    interface Connections {
        /** The connections YAML (docs/architecture.md "Connections"); env PORTCULLIS_CONNECTIONS_FILE. */
        Optional<String> file();
    }

    interface Pg {
        /** Listener address; loopback by default. */
        @WithDefault("127.0.0.1")
        String host();

        @WithDefault("15432")
        int port();

        /**
         * Event loops the PostgreSQL listener spreads its sessions over (one server each, sharing the port); 0: one
         * per available processor.
         */
        @WithDefault("0")
        int eventLoops();

        /** PEM certificate chain for client TLS; with {@code key-file} it turns SSLRequest into 'S'. */
        Optional<String> certFile();

        Optional<String> keyFile();

        /**
         * Plaintext clients (SSLRequest answered 'N' or no SSLRequest): {@code loopback} (only from
         * 127.0.0.0/8 and ::1), {@code never}, or {@code any} (not for production).
         */
        @WithDefault("loopback")
        Plaintext plaintext();

        /** Largest message accepted from a client or a backend, in bytes. */
        @WithDefault("16777216")
        int maxMessageSize();

        /** Largest startup packet (StartupMessage, SSLRequest, …), in bytes: PostgreSQL's own limit. */
        @WithDefault("10000")
        int maxStartupPacket();

        /**
         * Largest message before the client authenticated (the password message carrying the token), in bytes;
         * {@code max-message-size} applies only from the token's acceptance on.
         */
        @WithDefault("16384")
        int maxPasswordMessage();

        /** Authenticated client connections at most; one more is refused with {@code 53300}. */
        @WithDefault("256")
        int maxConnections();

        /**
         * Client connections that have not authenticated yet, at most; one more is refused at once with {@code
         * 53300}. Counted apart from {@code max-connections}, so idle sockets cannot take the slots of logged-in
         * agents.
         */
        @WithDefault("64")
        int maxUnauthenticated();

        /**
         * The login timeout: a client must have authenticated and its session must be ready within this time after
         * connecting, else it gets {@code 08P01} and is closed.
         */
        @WithDefault("10s")
        Duration startupTimeout();

        /** Sessions without client traffic for this long are closed (0 = never). */
        @WithDefault("30m")
        Duration idleTimeout();

        @WithDefault("10s")
        Duration backendConnectTimeout();

        /** Decision cache per session: {@code shape} (literals ignored), {@code exact} (text and parameters), {@code off}. */
        @WithDefault("shape")
        DecisionCache decisionCache();

        @WithDefault("30s")
        Duration decisionCacheTtl();

        /** Statements longer than this are not parsed (type UNKNOWN, still decided). */
        @WithDefault("100000")
        int maxParseLength();

        /**
         * The most PostgreSQL sessions one agent may have open at once, over every connection; one more is refused
         * with {@code 53300}, so one token cannot take every backend connection of a target.
         */
        @WithDefault("20")
        int maxSessionsPerAgent();

        /**
         * How long a {@code read} credential that passed the read-role audit (it cannot write) is trusted; the next
         * read session after that audits it again. A credential that failed is audited at every read session.
         */
        @WithDefault("10m")
        Duration readRoleAuditInterval();

        /** The limits of each agent session; a connection's {@code sessionLimits} overrides them one by one. */
        SessionLimitDefaults sessionLimits();
    }

    /**
     * Defaults of the PostgreSQL limits on each agent session (docs/architecture.md "Connections"): the timeouts go
     * to the backend in the startup packet; {@code temp_file_limit} only a superuser may set there, so it is checked
     * on the {@code read} role instead (the read-role audit refuses a role whose own limit is higher).
     */
    interface SessionLimitDefaults {
        /** PostgreSQL's {@code statement_timeout}. */
        @WithDefault("5m")
        Duration statementTimeout();

        /** {@code idle_in_transaction_session_timeout}: an open transaction holds locks and a snapshot. */
        @WithDefault("60s")
        Duration idleInTransactionSessionTimeout();

        /** {@code lock_timeout}. */
        @WithDefault("10s")
        Duration lockTimeout();

        /** {@code temp_file_limit} as PostgreSQL writes sizes ({@code 512MB}, {@code 1GB}), read in kB. */
        @WithDefault("1GB")
        @WithConverter(TempFileLimitConverter.class)
        long tempFileLimit();
    }

    interface Ssh {
        @WithDefault("true")
        boolean enabled();

        /** Listener address; loopback by default. */
        @WithDefault("127.0.0.1")
        String host();

        @WithDefault("2222")
        int port();

        /** The proxy's own host key (PEM/OpenSSH); generated there when absent. */
        @WithDefault("target/session-proxy-ssh-host-key")
        String hostKeyFile();

        @WithDefault("10s")
        Duration backendConnectTimeout();

        /** A client must have logged in within this time after connecting (slow or garbled clients are dropped). */
        @WithDefault("30s")
        Duration loginTimeout();

        /** Sessions without traffic for this long are closed. */
        @WithDefault("30m")
        Duration idleTimeout();

        /** Open agent SSH connections at most; more are disconnected at once. */
        @WithDefault("256")
        int maxConnections();

        /**
         * SSH connections that have not logged in yet, at most; one more is disconnected at once (too many
         * connections). Counted apart from {@code max-connections}.
         */
        @WithDefault("64")
        int maxUnauthenticated();

        /**
         * Subsystems relayed to the target when policy allows (request kind {@code sftp}); empty
         * refuses every subsystem.
         */
        @WithDefault("sftp")
        java.util.List<String> subsystems();

        /** Access levels whose SFTP sessions may write; others get a read-only SFTP session. */
        @WithDefault("write,admin")
        java.util.List<String> sftpWriteLevels();
    }

    interface Http {
        @WithDefault("true")
        boolean enabled();

        /** Listener address; loopback by default. */
        @WithDefault("127.0.0.1")
        String host();

        /** 8084 plain (loopback dev); 8443 with {@code cert-file}/{@code key-file} in production. */
        @WithDefault("8084")
        int port();

        /** PEM certificate chain; with {@code key-file} the listener speaks TLS only. */
        Optional<String> certFile();

        Optional<String> keyFile();

        /** Plaintext clients: {@code loopback} (only from 127.0.0.0/8 and ::1), {@code never}, or {@code any}. */
        @WithDefault("loopback")
        Plaintext plaintext();

        /**
         * With a value such as {@code .proxy.example.com}, {@code Host: k8s-prod.proxy.example.com}
         * names connection {@code k8s-prod} and the whole path goes to the target; without it the
         * first path segment names the connection.
         */
        Optional<String> hostSuffix();

        /** Largest request head (all header lines) accepted; larger ones get 431 and the connection closes. */
        @WithDefault("16384")
        int maxHeaderSize();

        @WithDefault("8192")
        int maxInitialLineLength();

        /** A connection must deliver a complete request head this soon after connecting or after its previous response. */
        @WithDefault("30s")
        Duration headerTimeout();

        /** Connections without traffic for this long are closed (watch streams included). */
        @WithDefault("30m")
        Duration idleTimeout();

        /** Authenticated agent connections at most (a connection counts from its first authenticated request). */
        @WithDefault("1024")
        int maxConnections();

        /**
         * Connections without an authenticated request yet, at most; one more gets {@code 503} to its first request
         * and is closed. Counted apart from {@code max-connections}.
         */
        @WithDefault("128")
        int maxUnauthenticated();

        /** The login timeout: a connection without an authenticated request this long after connecting is closed. */
        @WithDefault("10s")
        Duration loginTimeout();

        @WithDefault("10s")
        Duration backendConnectTimeout();

        /** How long an allow or deny is reused for the same agent, connection and request shape (0 = ask every time). */
        @WithDefault("30s")
        Duration decisionCacheTtl();

        /** Text lines (logs) are masked whole up to this length; longer ones in pieces. */
        @WithDefault("65536")
        int maxLine();
    }

    interface Token {
        /** The realm issuer, e.g. http://127.0.0.1:8180/realms/portcullis. */
        String issuer();

        /** Default: {@code <issuer>/protocol/openid-connect/certs}. */
        Optional<String> jwksUrl();

        @WithDefault("session-proxy")
        String audience();

        @WithDefault("30s")
        Duration clockSkew();

        /** The realm role identity-broker gives every agent's service account and no service client has. */
        @WithDefault("agent")
        String agentRole();

        /**
         * Clients whose token exchange may speak for an agent ({@code azp} of a minted session token); their own
         * service accounts are never agents.
         */
        @WithDefault("identity-broker")
        List<String> exchangeClients();
    }

    interface Policy {
        @WithDefault("http://127.0.0.1:8181")
        String url();

        @WithDefault("3s")
        Duration timeout();

        /** Fetch a client_credentials token for policy-service calls. */
        @WithDefault("true")
        boolean authenticate();

        @WithDefault("session-proxy")
        String clientId();

        Optional<String> clientSecret();

        /** Default: {@code <issuer>/protocol/openid-connect/token}. */
        Optional<String> tokenUrl();
    }

    interface Review {
        /** How long a held statement waits for review-decisions before it is refused. */
        @WithDefault("5m")
        Duration timeout();

        /**
         * How many of the session's earlier requests a review carries (its session so far, as recorded): 0 keeps
         * none, at most {@code ReviewRequested.MAX_HISTORY} (20); anything else stops the proxy at start.
         */
        @WithDefault("10")
        @WithConverter(ReviewHistorySizeConverter.class)
        int historySize();
    }

    /** What a request does when its events cannot be recorded yet (docs/architecture.md "Delivery"). */
    enum WhenUnrecorded {
        /** It waits (back-pressure) until they are, at most {@code hold-timeout}, then is refused. */
        HOLD,
        /** It is refused as soon as the spool is full. */
        REFUSE;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    interface Events {
        /** False only in tests without Kafka: nothing is published and every event counts as recorded. */
        @WithDefault("true")
        boolean enabled();

        /** Where events wait while Kafka does not acknowledge them ({@code bin/portcullis up}: {@code .portcullis/proxy-spool}). */
        @WithDefault("target/session-proxy-spool")
        String spoolDir();

        @WithDefault("104857600")
        long spoolMaxBytes();

        /** The spool's segment size: the replay deletes a segment once all of it is acknowledged. */
        @WithDefault("8388608")
        long spoolSegmentBytes();

        /** Bytes of events handed to the producer and not yet acknowledged (the ledger's budget). */
        @WithDefault("16777216")
        long bufferBytes();

        /** Bytes of events waiting in memory for the budget or the spool; beyond it events are given up. */
        @WithDefault("67108864")
        long memoryMaxBytes();

        /** A Kafka stall: the oldest unacknowledged event is this old. Its session moves to the spool. */
        @WithDefault("2s")
        Duration stallTimeout();

        /** While stalled, how often one spooled event is sent as a probe. */
        @WithDefault("1s")
        Duration retryInterval();

        /** The producer's {@code max.block.ms}: how long {@code send()} may block the publisher thread. */
        @WithDefault("500ms")
        Duration sendBlock();

        /**
         * The producer's {@code linger.ms}. With the journal a request does not wait for Kafka at all, so a longer
         * linger only makes fewer, bigger batches (measured: 13 % more {@code pgbench -S} throughput at 20 ms than at
         * 1 ms, with less CPU in the producer and in Kafka); with {@code journal=false} every write-ahead request waits
         * for its batch, so set it to 1ms there.
         */
        @WithDefault("10ms")
        Duration linger();

        /**
         * The producer's {@code compression.type} ({@code none}, {@code gzip}, {@code snappy}, {@code lz4},
         * {@code zstd}). None by default: {@code lz4} (lz4-java in its pure-Java fallback here) took a fifth of the
         * proxy's CPU samples under {@code pgbench -S}, and recordings are compressed at rest by the recorder.
         */
        @WithDefault("none")
        String compression();

        /**
         * Write-ahead: a request is forwarded only once its request and decision events are recorded (acknowledged
         * with {@code acks=all} or spooled). Off only where an unrecorded request is acceptable (benchmarks).
         */
        @WithDefault("true")
        boolean writeAhead();

        /**
         * Write-ahead through the local journal in {@code spool-dir} (ADR 0031): a request's events count as recorded
         * once appended there and handed to the operating system, before Kafka acknowledges them, which spares every
         * request the Kafka round trip. False: the request waits for {@code acks=all} (or the spool).
         */
        @WithDefault("true")
        boolean journal();

        /**
         * With the journal: a session's event loop appends its own event to the journal and hands it to the operating
         * system itself, so its request goes on at once, without waiting for the publisher thread's round and a hop
         * back (two thread wake-ups per request). Only while delivery is healthy and within {@code buffer-bytes}; the
         * publisher's path otherwise. False: always the publisher's path (for comparison).
         */
        @WithDefault("true")
        boolean journalInline();

        /** {@code hold} (back-pressure) or {@code refuse}: see {@link WhenUnrecorded}. */
        @WithDefault("hold")
        WhenUnrecorded whenUnrecorded();

        /** How long a held request waits for its events to be recorded before it is refused. */
        @WithDefault("2m")
        Duration holdTimeout();

        /** Refuse new sessions while events cannot be delivered or spooled. */
        @WithDefault("false")
        boolean refuseWhenUnrecorded();
    }

    interface Kafka {
        @WithDefault("127.0.0.1:9092")
        String bootstrapServers();

        /** Consumer group prefix for identity-events and review-decisions (each instance reads all). */
        @WithDefault("session-proxy")
        String groupPrefix();

        /**
         * How far back {@code identity-events} is read at start to rebuild the kill switch's cut-offs: longer than
         * any agent token lives (a cut-off older than every token refuses nothing), shorter than the topic's
         * retention.
         */
        @WithDefault("24h")
        Duration killSwitchLookback();

        /**
         * How long a login waits at start for the cut-offs to be rebuilt before it is refused (fail closed: a token
         * minted before a kill switch must not slip in while the proxy starts).
         */
        @WithDefault("15s")
        Duration killSwitchWait();
    }

    /**
     * The key of the {@code hash} mask strategy, the same on every proxy pod (docs/architecture.md "Policy"). Unset,
     * the proxy starts and {@code hash} masks as {@code redact}; set but unusable, the proxy does not start.
     */
    interface Masking {
        /** Base64 of at least 32 random bytes (e.g. from a Kubernetes Secret through the environment). */
        Optional<String> hashKey();

        /** A file holding the base64 key (e.g. a mounted Secret), instead of {@code hash-key}. */
        Optional<String> hashKeyFile();

        /** The name hashes carry ({@code hash:<id>:…}) to tell a rotated key's apart; default: a fingerprint. */
        Optional<String> hashKeyId();
    }
}
