package dev.portcullis.recorder.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    static Instant reference(String s) {
        return OffsetDateTime.parse(s).toInstant();
    }

    @Test
    void theFastPathReadsWhatOffsetDateTimeReads() {
        for (String s : List.of(
                "2026-11-22T03:12:00Z",
                "2026-11-22T03:12:00.1Z",
                "2026-11-22T03:12:00.123456789Z",
                "2026-11-22T03:12:00.120+05:30",
                "2026-11-22T03:12:00-08:00",
                "2024-02-29T23:59:59.999999999-00:00",
                "1970-01-01T00:00:00Z",
                "0001-01-01T00:00:00+18:00",
                "9999-12-31T23:59:59-18:00")) {
            assertThat(Timestamps.fastPath(s)).as(s).isNotNull().isEqualTo(reference(s));
            assertThat(Timestamps.parse(s)).as(s).isEqualTo(reference(s));
        }
    }

    @Test
    void otherShapesGoToTheGeneralParserWithTheSameResult() {
        // lower-case t and z (the ISO parser ignores case), a decimal point without digits
        for (String s : List.of(
                "2026-11-22T03:12Z",
                "2026-11-22T03:12:00+05:30:15",
                "2026-11-22T03:12:00+05",
                "2026-11-22t03:12:00Z",
                "2026-11-22T03:12:00z",
                "2026-11-22T03:12:00.Z")) {
            assertThat(Timestamps.fastPath(s)).as(s).isNull();
            assertThat(Timestamps.parse(s)).as(s).isEqualTo(reference(s));
        }
    }

    @Test
    void invalidTimesAreRejectedAsBefore() {
        for (String s : List.of(
                "2026-02-30T00:00:00Z",
                "2026-11-22T24:00:00Z",
                "2026-11-22T03:60:00Z",
                "2026-11-22T03:12:60Z",
                "2026-11-22T03:12:00",
                "2026-11-22T03:12:00.1234567890Z",
                "2026-11-22T03:12:00+19:00",
                "2026-13-01T00:00:00Z",
                "yesterday",
                "2026-11-22T03:12:00 Z",
                "+2026-11-22T03:12:00Z")) {
            assertThat(Timestamps.fastPath(s)).as(s).isNull();
            assertThatThrownBy(() -> Timestamps.parse(s)).as(s).isInstanceOf(DateTimeParseException.class);
        }
    }

    @Test
    void randomInstantsInRandomOffsetsRoundTrip() {
        Random random = new Random(6);
        for (int i = 0; i < 10_000; i++) {
            Instant instant = Instant.ofEpochSecond(
                    random.nextLong(-62_000_000_000L, 253_000_000_000L), random.nextInt(1_000_000_000));
            ZoneOffset offset = ZoneOffset.ofTotalSeconds((random.nextInt(-18 * 60, 18 * 60 + 1)) * 60);
            String s = OffsetDateTime.ofInstant(instant, offset).toString();
            assertThat(Timestamps.parse(s)).as(s).isEqualTo(reference(s));
        }
    }
}
