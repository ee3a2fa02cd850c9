package dev.portcullis.contracts.events;

import dev.portcullis.contracts.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden event fixtures under {@code fixtures/events/}, from this module's test-jar: every service's tests
 * read the same files with their own reader. Plain Java on purpose (no JSON library), so any test classpath can
 * use it.
 *
 * <ul>
 *   <li>{@code <type>.json}: one event per type, exactly as its producer writes it (for {@code decision}, the
 *       record value; its CloudEvents attributes are Kafka headers);
 *   <li>{@code valid/}: more events as their producers write them, beside the one per type: another version of a
 *       type's event (a v2 {@code session.request} carrying its decision);
 *   <li>{@code tolerated/}: events every reader must accept although they differ from what is written today —
 *       written before {@code dataschema} existed, or carrying attributes and fields this build does not know;
 *   <li>{@code invalid/}: events every reader must refuse, each with the problem {@link CloudEvent#validate()} or
 *       the payload's {@code validate()} reports.
 * </ul>
 */
public final class EventFixtures {

    public static final String DIR = "fixtures/events/";

    /**
     * One fixture.
     *
     * @param topic the topic it would arrive on
     * @param problem for an invalid one, the start of the problem the contract reports; null otherwise
     */
    public record Fixture(String name, String topic, String json, String problem) {

        public byte[] bytes() {
            return json.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Invalid fixtures: file name (without .json), topic (null: every topic), the problem reported. */
    private static final List<String[]> INVALID = List.of(
            new String[] {"truncated", null, "not JSON"},
            new String[] {"session.request-without-seq", Topics.SESSION_EVENTS, "seq: missing"},
            new String[] {"session.request-negative-seq", Topics.SESSION_EVENTS, "seq: -1 is negative"},
            new String[] {"session.teleported", Topics.SESSION_EVENTS, "type: 'session.teleported' is not"},
            new String[] {"session.request-unreadable-dataschema", Topics.SESSION_EVENTS, "dataschema: "},
            new String[] {"session.started-without-session-id", Topics.SESSION_EVENTS, "session_id: missing"},
            new String[] {"review.requested-without-agent", Topics.REVIEW_REQUESTS, "agent: missing"},
            new String[] {"review.requested-bad-expires-at", Topics.REVIEW_REQUESTS, "expires_at: 'in five minutes'"},
            new String[] {"review.requested-history-too-long", Topics.REVIEW_REQUESTS, "history: 21 entries, at most 20"
            },
            new String[] {
                "review.requested-history-request-too-long",
                Topics.REVIEW_REQUESTS,
                "history[0].request: 2001 characters, at most 2000"
            },
            new String[] {"review.approved-without-review-id", Topics.REVIEW_DECISIONS, "review_id: missing"},
            new String[] {"review.approved-unreadable-dataschema", Topics.REVIEW_DECISIONS, "dataschema: "},
            new String[] {"grant.revoked-without-connection", Topics.IDENTITY_EVENTS, "connection: missing"},
            new String[] {"agent.disabled-without-agent", Topics.IDENTITY_EVENTS, "agent: missing"},
            new String[] {"decision-without-decision-id", Topics.DECISION_LOGS, "decision_id: missing"},
            new String[] {"decision-bad-timestamp", Topics.DECISION_LOGS, "timestamp: 'yesterday'"});

    /** Tolerated fixtures: file name (without .json), topic. */
    private static final List<String[]> TOLERATED = List.of(
            new String[] {"session.output-before-dataschema", Topics.SESSION_EVENTS},
            new String[] {"review.requested-before-dataschema", Topics.REVIEW_REQUESTS},
            new String[] {"review.denied-before-dataschema", Topics.REVIEW_DECISIONS},
            new String[] {"agent.disabled-before-dataschema", Topics.IDENTITY_EVENTS},
            new String[] {"decision-with-unknown-fields", Topics.DECISION_LOGS});

    /** More valid fixtures: file name (without .json), topic. */
    private static final List<String[]> VALID =
            List.of(new String[][] {{"session.request-v2-with-decision", Topics.SESSION_EVENTS}});

    private EventFixtures() {}

    /** The event of {@code type} as its producer writes it. */
    public static Fixture valid(String type) {
        String topic =
                EventTypes.topicOf(type).orElseThrow(() -> new IllegalArgumentException("no event type " + type));
        return new Fixture(type, topic, read(DIR + type + ".json"), null);
    }

    /** The fixtures a reader of {@code topic} must refuse. */
    public static List<Fixture> invalid(String topic) {
        return INVALID.stream()
                .filter(f -> f[1] == null || f[1].equals(topic))
                .map(f -> new Fixture(f[0], topic, read(DIR + "invalid/" + f[0] + ".json"), f[2]))
                .toList();
    }

    /** The fixtures under valid/ of {@code topic}. */
    public static List<Fixture> moreValid(String topic) {
        return VALID.stream()
                .filter(f -> f[1].equals(topic))
                .map(f -> new Fixture(f[0], topic, read(DIR + "valid/" + f[0] + ".json"), null))
                .toList();
    }

    /** The fixtures a reader of {@code topic} must accept besides the valid ones. */
    public static List<Fixture> tolerated(String topic) {
        return TOLERATED.stream()
                .filter(f -> f[1].equals(topic))
                .map(f -> new Fixture(f[0], topic, read(DIR + "tolerated/" + f[0] + ".json"), null))
                .toList();
    }

    /** What a reader of {@code topic} must accept: the valid fixtures of its types and the tolerated ones. */
    public static List<Fixture> accepted(String topic) {
        return Stream.of(
                        EventTypes.BY_TOPIC.get(topic).stream().map(EventFixtures::valid),
                        moreValid(topic).stream(),
                        tolerated(topic).stream())
                .flatMap(s -> s)
                .toList();
    }

    /** File names (without .json) under invalid/, valid/ and tolerated/, for the test that every file is listed. */
    static List<String> listed(String dir) {
        return (switch (dir) {
                    case "invalid" -> INVALID;
                    case "valid" -> VALID;
                    default -> TOLERATED;
                })
                .stream().map(f -> f[0]).toList();
    }

    static String read(String resource) {
        try (InputStream in = EventFixtures.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath (the contracts test-jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
