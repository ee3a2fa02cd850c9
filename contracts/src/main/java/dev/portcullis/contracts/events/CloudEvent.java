package dev.portcullis.contracts.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * The envelope of every event on the structured-mode topics (session-events, review-requests, review-decisions,
 * identity-events): CloudEvents 1.0 attributes in JSON, plus, on session events, the session attributes
 * {@code session_id}, {@code seq}, {@code agent} and {@code connection} beside them (docs/architecture.md
 * "Events"). Absent attributes are left out. Readers ignore what they do not know.
 *
 * <p>{@code dataschema} marks the version of the contract the event was written to ({@link #DATASCHEMA_V1}). It
 * is absent from events written before it existed, and readers take an absent one for v1; an event of a version
 * this build does not know is one it cannot read ({@link #validate()} says so).
 *
 * <p>{@code time} is RFC 3339 text, as written ({@code Instant.toString()}), so the wire form does not depend on
 * how a service's JSON mapper writes dates.
 *
 * @param <D> the {@code data}: a payload record of this package, or the service's own JSON tree
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CloudEvent<D>(
        @JsonProperty(CloudEvent.Attr.SPECVERSION) String specversion,
        @JsonProperty(CloudEvent.Attr.ID) String id,
        @JsonProperty(CloudEvent.Attr.SOURCE) String source,
        @JsonProperty(CloudEvent.Attr.TYPE) String type,
        @JsonProperty(CloudEvent.Attr.SUBJECT) String subject,
        @JsonProperty(CloudEvent.Attr.TIME) String time,
        @JsonProperty(CloudEvent.Attr.DATACONTENTTYPE) String datacontenttype,
        @JsonProperty(CloudEvent.Attr.DATASCHEMA) String dataschema,
        @JsonProperty(CloudEvent.Attr.DATA) D data,
        @JsonProperty(CloudEvent.Attr.SESSION_ID) String sessionId,
        @JsonProperty(CloudEvent.Attr.SEQ) Long seq,
        @JsonProperty(CloudEvent.Attr.AGENT) String agent,
        @JsonProperty(CloudEvent.Attr.CONNECTION) String connection,
        @JsonProperty(CloudEvent.Attr.AUTHTAG) String authtag) {

    /** The CloudEvents version. */
    public static final String SPECVERSION = "1.0";
    /** {@code datacontenttype}: data is always JSON. */
    public static final String JSON = "application/json";
    /**
     * {@code dataschema} of this contract's first version. A compatible change (a new optional field) keeps it; an
     * incompatible one gets a new URI, and readers that do not know it refuse the event.
     */
    public static final String DATASCHEMA_V1 = "urn:portcullis:events:v1";
    /**
     * {@code dataschema} of session events of the contract's second version (docs/architecture.md "Event types"): a
     * {@code session.request} may carry the decision taken on it ({@link SessionEventFields#DECISION}), and then no
     * {@code session.decision} follows for that decision. A v1 reader would count no denial in such a session, so it
     * is a new URI; only session events have a v2.
     */
    public static final String DATASCHEMA_SESSION_V2 = "urn:portcullis:events:v2";

    /** The attribute names on the wire. */
    public static final class Attr {
        public static final String SPECVERSION = "specversion";
        public static final String ID = "id";
        public static final String SOURCE = "source";
        public static final String TYPE = "type";
        public static final String SUBJECT = "subject";
        public static final String TIME = "time";
        public static final String DATACONTENTTYPE = "datacontenttype";
        public static final String DATASCHEMA = "dataschema";
        public static final String DATA = "data";
        // session events only; the underscore names predate this contract and stay as they are on the wire
        public static final String SESSION_ID = "session_id";
        public static final String SEQ = "seq";
        public static final String AGENT = "agent";
        public static final String CONNECTION = "connection";
        /** The producer's authentication tag ({@link EventAuth}); always the last attribute on the wire. */
        public static final String AUTHTAG = EventAuth.ATTR;

        private Attr() {}
    }

    /**
     * An event of identity-broker's or of session-proxy's review requests: a random id, the current time. Its
     * Kafka key is the entity id (agent name, grant id, review id); {@code subject} names the same entity.
     */
    public static <D> CloudEvent<D> of(String source, String type, String subject, D data) {
        return new CloudEvent<>(
                SPECVERSION,
                UUID.randomUUID().toString(),
                source,
                type,
                subject,
                Instant.now().toString(),
                JSON,
                DATASCHEMA_V1,
                data,
                null,
                null,
                null,
                null,
                null);
    }

    /**
     * A session event. Its id is {@code <session id>:<seq>}: unique by construction (a session's seq never repeats)
     * and cheaper than a random UUID on the per-statement path. Its subject and Kafka key are the session id.
     */
    public static <D> CloudEvent<D> session(
            String source, String type, String sessionId, long seq, String agent, String connection, D data) {
        return new CloudEvent<>(
                SPECVERSION,
                sessionId + ":" + seq,
                source,
                type,
                sessionId,
                Instant.now().toString(),
                JSON,
                DATASCHEMA_V1,
                data,
                sessionId,
                seq,
                agent,
                connection,
                null);
    }

    /** True for the {@code dataschema} values this build reads: none (written before the marker) and v1. */
    public static boolean readable(String dataschema) {
        return dataschema == null || DATASCHEMA_V1.equals(dataschema);
    }

    /** True for the {@code dataschema} values this build reads on a session event: none, v1 and v2. */
    public static boolean readableSessionEvent(String dataschema) {
        return readable(dataschema) || DATASCHEMA_SESSION_V2.equals(dataschema);
    }

    /** This event marked with another version of the contract ({@link #DATASCHEMA_SESSION_V2}). */
    public CloudEvent<D> withDataschema(String schema) {
        return with(schema, authtag);
    }

    /**
     * The attributes as they go on the wire, in order, absent ones left out: the same JSON a Jackson mapper writes
     * for this record, for a producer that writes its JSON without reflection (session-proxy's hot path).
     */
    public void forEachAttribute(BiConsumer<String, Object> out) {
        put(out, Attr.SPECVERSION, specversion);
        put(out, Attr.ID, id);
        put(out, Attr.SOURCE, source);
        put(out, Attr.TYPE, type);
        put(out, Attr.SUBJECT, subject);
        put(out, Attr.TIME, time);
        put(out, Attr.DATACONTENTTYPE, datacontenttype);
        put(out, Attr.DATASCHEMA, dataschema);
        put(out, Attr.DATA, data);
        put(out, Attr.SESSION_ID, sessionId);
        put(out, Attr.SEQ, seq);
        put(out, Attr.AGENT, agent);
        put(out, Attr.CONNECTION, connection);
        put(out, Attr.AUTHTAG, authtag);
    }

    /** This event with its producer's authentication tag ({@link EventAuth}). */
    public CloudEvent<D> withAuthtag(String tag) {
        return with(dataschema, tag);
    }

    private CloudEvent<D> with(String schema, String tag) {
        return new CloudEvent<>(
                specversion,
                id,
                source,
                type,
                subject,
                time,
                datacontenttype,
                schema,
                data,
                sessionId,
                seq,
                agent,
                connection,
                tag);
    }

    private static void put(BiConsumer<String, Object> out, String name, Object value) {
        if (value != null) {
            out.accept(name, value);
        }
    }

    /**
     * What makes this envelope unusable, one line per attribute ({@code "seq: missing"}); empty when it is valid.
     * The data is checked by its own payload record.
     */
    public List<String> validate() {
        List<String> p = new ArrayList<>();
        if (Validation.missing(specversion)) {
            p.add(Attr.SPECVERSION + ": missing");
        } else if (!SPECVERSION.equals(specversion)) {
            p.add(Attr.SPECVERSION + ": " + Validation.quote(specversion) + " is not " + SPECVERSION);
        }
        Validation.required(p, Attr.ID, id);
        Validation.required(p, Attr.SOURCE, source);
        if (Validation.missing(type)) {
            p.add(Attr.TYPE + ": missing");
        } else if (EventTypes.topicOf(type).isEmpty()) {
            p.add(Attr.TYPE + ": " + Validation.quote(type) + " is not an event type of the contract");
        }
        Validation.timestamp(p, Attr.TIME, time, true);
        if (datacontenttype != null && !JSON.equals(datacontenttype)) {
            p.add(Attr.DATACONTENTTYPE + ": " + Validation.quote(datacontenttype) + " is not " + JSON);
        }
        boolean session = type != null && EventTypes.isSessionEvent(type);
        if (session ? !readableSessionEvent(dataschema) : !readable(dataschema)) {
            p.add(Attr.DATASCHEMA + ": " + Validation.quote(dataschema) + " is not a version this build reads ("
                    + DATASCHEMA_V1 + (session ? ", " + DATASCHEMA_SESSION_V2 : "") + ")");
        }
        if (data == null) {
            p.add(Attr.DATA + ": missing");
        }
        if (type != null && EventTypes.isSessionEvent(type)) {
            Validation.required(p, Attr.SESSION_ID, sessionId);
            if (seq == null) {
                p.add(Attr.SEQ + ": missing");
            } else if (seq < 0) {
                p.add(Attr.SEQ + ": " + seq + " is negative");
            }
            Validation.required(p, Attr.AGENT, agent);
            Validation.required(p, Attr.CONNECTION, connection);
        }
        return p;
    }
}
