package dev.portcullis.proxy.events;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.proxy.config.ProxyConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.crypto.Mac;

/**
 * Tags each session event at the source (contracts' {@link EventAuth}, docs/architecture.md "Events"): the recorder
 * stages only events tagged under the secret it shares with the proxy, so one produced straight to Kafka is
 * refused. One instance per proxy; {@link #forSession} derives a session's key once.
 */
public final class SessionEventAuth {

    /** No tagging: events disabled (nothing is published), or a unit test's publisher. */
    public static final SessionEventAuth NONE = new SessionEventAuth(null);

    private final byte[] secret;
    private final String keyId;

    private SessionEventAuth(byte[] secret) {
        this.secret = secret;
        this.keyId = secret == null ? null : EventAuth.keyId(secret);
    }

    /** The proxy's: required when events are enabled (no session event leaves the proxy untagged). */
    public static SessionEventAuth load(ProxyConfig.EventAuth config) {
        String file = config.keyFile()
                .orElseThrow(() -> new IllegalStateException("portcullis.event-auth.key-file is not set: the "
                        + "recorder refuses untagged session events (docs/architecture.md \"Events\")"));
        try {
            return of(Base64.getDecoder()
                    .decode(Files.readString(Path.of(file), StandardCharsets.US_ASCII)
                            .strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read portcullis.event-auth.key-file " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("portcullis.event-auth.key-file " + file + ": " + e.getMessage(), e);
        }
    }

    public static SessionEventAuth of(byte[] secret) {
        return new SessionEventAuth(EventAuth.requireSecret(secret));
    }

    /** The tagger of one session. */
    public Session forSession(String sessionId) {
        return new Session(secret == null ? null : EventAuth.sessionKey(secret, sessionId), keyId);
    }

    /** Tags one session's events. */
    public static final class Session {
        private final byte[] key;
        private final String keyId;
        private Mac mac;

        private Session(byte[] key, String keyId) {
            this.key = key;
            this.keyId = keyId;
        }

        /**
         * The event with its tag over the exact JSON the publisher will write for it ({@link EventJson}): the tag
         * is the last attribute, so the published bytes are these with {@code ,"authtag":"…"} before the brace.
         */
        public CloudEvent<JsonObject> tag(CloudEvent<JsonObject> event) {
            String tag = tagOf(EventJson.encode(event));
            return tag == null ? event : event.withAuthtag(tag);
        }

        /**
         * The {@code authtag} of an event's JSON encoded without it, or null when this session does not tag; the
         * published JSON is {@code EventAuth.append(untaggedJson, tag)}, the same bytes as the tagged event's.
         */
        synchronized String tagOf(String untaggedJson) {
            if (key == null) {
                return null;
            }
            if (mac == null) {
                mac = EventAuth.sessionMac(key);
            }
            return EventAuth.tag(keyId, mac, untaggedJson.getBytes(StandardCharsets.UTF_8));
        }
    }
}
