package dev.portcullis.recorder.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteRangeTest {

    @Test
    void parsesSingleRanges() {
        assertThat(ByteRange.parse("bytes=10-19", 100)).contains(new ByteRange(10, 10));
        assertThat(ByteRange.parse("bytes=90-", 100)).contains(new ByteRange(90, 10));
        assertThat(ByteRange.parse("bytes=-5", 100)).contains(new ByteRange(95, 5));
        assertThat(ByteRange.parse("bytes=50-500", 100)).contains(new ByteRange(50, 50));
        assertThat(ByteRange.parse("bytes=10-19", 100).orElseThrow().contentRange(100))
                .isEqualTo("bytes 10-19/100");
    }

    @Test
    void ignoresWhatItDoesNotServeAndRefusesWhatCannotBeSatisfied() {
        assertThat(ByteRange.parse(null, 100)).isEmpty();
        assertThat(ByteRange.parse("bytes=0-1,5-6", 100)).isEmpty();
        assertThat(ByteRange.parse("lines=1-2", 100)).isEmpty();
        assertThatThrownBy(() -> ByteRange.parse("bytes=100-", 100)).isInstanceOf(ByteRange.Unsatisfiable.class);
        assertThatThrownBy(() -> ByteRange.parse("bytes=20-10", 100)).isInstanceOf(ByteRange.Unsatisfiable.class);
        assertThatThrownBy(() -> ByteRange.parse("bytes=x-", 100)).isInstanceOf(ByteRange.Unsatisfiable.class);
    }
}
