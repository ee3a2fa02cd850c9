package dev.portcullis.recorder.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AcceptEncodingTest {

    @Test
    void gzipWhenNamedOrCoveredByAStarWithAWeight() {
        assertThat(AcceptEncoding.allowsGzip("gzip")).isTrue();
        assertThat(AcceptEncoding.allowsGzip("deflate, GZIP;q=0.5")).isTrue();
        assertThat(AcceptEncoding.allowsGzip("x-gzip")).isTrue();
        assertThat(AcceptEncoding.allowsGzip("br;q=1, *;q=0.1")).isTrue();
        assertThat(AcceptEncoding.allowsGzip("gzip, deflate, br, zstd")).isTrue();
    }

    @Test
    void notWhenAbsentRefusedOrUnreadable() {
        assertThat(AcceptEncoding.allowsGzip(null)).isFalse();
        assertThat(AcceptEncoding.allowsGzip("")).isFalse();
        assertThat(AcceptEncoding.allowsGzip("identity")).isFalse();
        assertThat(AcceptEncoding.allowsGzip("br, deflate")).isFalse();
        assertThat(AcceptEncoding.allowsGzip("gzip;q=0")).isFalse();
        assertThat(AcceptEncoding.allowsGzip("gzip;q=0.000, *")).isFalse(); // the named coding wins over *
        assertThat(AcceptEncoding.allowsGzip("*;q=0")).isFalse();
        assertThat(AcceptEncoding.allowsGzip("gzip;q=high")).isFalse();
        assertThat(AcceptEncoding.allowsGzip("gzip;q=1.5")).isFalse();
    }
}
