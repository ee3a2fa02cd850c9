package dev.portcullis.proxy.config;

import dev.portcullis.contracts.events.ReviewRequested;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads {@code portcullis.review.history-size}: 0 to {@link ReviewRequested#MAX_HISTORY}, as the contract bounds a
 * review's history, so a value the broker would refuse stops the proxy at start.
 */
public final class ReviewHistorySizeConverter implements Converter<Integer> {

    @Override
    public Integer convert(String value) {
        String v = value.trim();
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > ReviewRequested.MAX_HISTORY) {
            throw new IllegalArgumentException("history-size must be a whole number from 0 to "
                    + ReviewRequested.MAX_HISTORY + ", not '" + value + "'");
        }
        return n;
    }
}
