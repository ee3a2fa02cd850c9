package dev.portcullis.proxy.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.contracts.Topics;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The spool's (and the journal's) line: the event's exact bytes back, whatever the format wrote them. */
class EventSpoolLineTest {

    private static final String EVENT = new JsonObject()
            .put("text", "SELECT '\t' || E'\\n' /* é ✓ */")
            .put("seq", 3)
            .encode();

    @Test
    void aLineGivesBackExactlyWhatWasAppended() {
        for (String tp : new String[] {null, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) {
            EventSpool.Line line = new EventSpool.Line(Topics.SESSION_EVENTS, "0b9e-session", EVENT, tp);
            String written = line.encode();
            assertThat(written).startsWith("2\t").doesNotContain("\n");
            assertThat(EventSpool.Line.decode(written)).isEqualTo(line);
        }
    }

    @Test
    void fieldsWithATabOrALineBreakAreWrittenAsJsonAndStillComeBack() {
        for (EventSpool.Line line : new EventSpool.Line[] {
            new EventSpool.Line(Topics.SESSION_EVENTS, "key\twith tab", EVENT, null),
            new EventSpool.Line(Topics.SESSION_EVENTS, "key", "{\"a\":1}\n{\"b\":2}", null),
            new EventSpool.Line(Topics.SESSION_EVENTS, "key", EVENT, "tp\r")
        }) {
            String written = line.encode();
            assertThat(written).startsWith("{").doesNotContain("\n");
            assertThat(EventSpool.Line.decode(written)).isEqualTo(line);
        }
    }

    @Test
    void aLineOfAnEarlierVersionIsRead() {
        String legacy = new JsonObject()
                .put("topic", Topics.SESSION_EVENTS)
                .put("key", "s1")
                .put("value", EVENT)
                .put("traceparent", "tp")
                .encode();
        assertThat(EventSpool.Line.decode(legacy))
                .isEqualTo(new EventSpool.Line(Topics.SESSION_EVENTS, "s1", EVENT, "tp"));
    }

    @Test
    void aTruncatedLineIsAnError() {
        assertThatThrownBy(() -> EventSpool.Line.decode("2\t" + Topics.SESSION_EVENTS + "\tkey"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
