package dev.portcullis.recorder.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.events.SessionEventType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AsciicastWriterTest {

    @Test
    void writesAsciicastV2HeaderAndTimedEvents() throws Exception {
        Instant start = Instant.parse("2026-11-22T03:12:00Z");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AsciicastWriter w = new AsciicastWriter(out)) {
            w.header(
                    start,
                    JsonSupport.MAPPER.readTree("{\"data\":{\"pty\":{\"cols\":120,\"rows\":40}}}"),
                    "bot@ssh s1");
            w.event(
                    SessionEventType.REQUEST,
                    start.plusMillis(500),
                    JsonSupport.MAPPER.readTree("{\"data\":{\"command\":\"uptime\"}}"));
            w.event(
                    SessionEventType.OUTPUT,
                    start.plusMillis(1500),
                    JsonSupport.MAPPER.readTree("{\"data\":{\"output\":\"up 3 days\\r\\n\"}}"));
            // an event stamped earlier never moves time backwards
            w.event(
                    SessionEventType.OUTPUT,
                    start.plusMillis(1000),
                    JsonSupport.MAPPER.readTree("{\"data\":{\"output_base64\":\"JCA=\"}}"));
            w.event(
                    SessionEventType.DECISION,
                    start.plusMillis(2000),
                    JsonSupport.MAPPER.readTree("{\"data\":{\"action\":\"allow\"}}"));
            w.finish();
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(4);
        JsonNode header = JsonSupport.MAPPER.readTree(lines[0]);
        assertThat(header.get("version").intValue()).isEqualTo(2);
        assertThat(header.get("width").intValue()).isEqualTo(120);
        assertThat(header.get("height").intValue()).isEqualTo(40);
        assertThat(header.get("timestamp").longValue()).isEqualTo(start.getEpochSecond());
        JsonNode first = JsonSupport.MAPPER.readTree(lines[1]);
        assertThat(first.get(0).doubleValue()).isEqualTo(0.5);
        assertThat(first.get(1).textValue()).isEqualTo("i");
        assertThat(first.get(2).textValue()).isEqualTo("uptime");
        JsonNode second = JsonSupport.MAPPER.readTree(lines[2]);
        assertThat(second.get(1).textValue()).isEqualTo("o");
        assertThat(second.get(2).textValue()).isEqualTo("up 3 days\r\n");
        JsonNode third = JsonSupport.MAPPER.readTree(lines[3]);
        assertThat(third.get(0).doubleValue()).isEqualTo(1.5);
        assertThat(third.get(2).textValue()).isEqualTo("$ ");
    }
}
