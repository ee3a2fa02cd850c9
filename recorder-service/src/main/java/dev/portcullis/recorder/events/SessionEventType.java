package dev.portcullis.recorder.events;

import dev.portcullis.contracts.events.EventTypes;
import java.util.Locale;
import java.util.Optional;

/** The session event types (contracts' {@link EventTypes#SESSION_EVENTS}) as the recorder tells them apart. */
public enum SessionEventType {
    STARTED(EventTypes.SESSION_STARTED),
    REQUEST(EventTypes.SESSION_REQUEST),
    OUTPUT(EventTypes.SESSION_OUTPUT),
    DECISION(EventTypes.SESSION_DECISION),
    ENDED(EventTypes.SESSION_ENDED);

    private final String wire;

    SessionEventType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /**
     * Accepts the wire name, and (tolerant reader) a reverse-DNS prefixed CloudEvents type that ends
     * with it, e.g. {@code dev.portcullis.session.started}.
     */
    public static Optional<SessionEventType> fromWire(String type) {
        if (type == null) {
            return Optional.empty();
        }
        String t = type.toLowerCase(Locale.ROOT);
        for (SessionEventType e : values()) {
            if (t.equals(e.wire) || t.endsWith("." + e.wire)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
