package dev.portcullis.proxy.config;

import dev.portcullis.contracts.connections.SessionLimits;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads {@code portcullis.pg.session-limits.temp-file-limit} as the connections file reads {@code tempFileLimit}
 * ({@link SessionLimits#parseSize}), so a bad value stops the proxy at start.
 */
public final class TempFileLimitConverter implements Converter<Long> {

    @Override
    public Long convert(String value) {
        return SessionLimits.parseSize(value)
                .orElseThrow(() -> new IllegalArgumentException(
                        "temp-file-limit must be " + SessionLimits.SIZE_RULE + ", not '" + value + "'"));
    }
}
