package dev.portcullis.broker.rest;

import dev.portcullis.broker.api.ProblemException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A {@code ?status=} query parameter read as one of an enum's values; 400 names the allowed ones. */
public final class StatusParam {

    private StatusParam() {}

    /** {@code null} when absent (no filter). */
    public static <E extends Enum<E>> E parse(Class<E> type, String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, status.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid(
                    "status",
                    "must be one of "
                            + Arrays.stream(type.getEnumConstants())
                                    .map(v -> v.name().toLowerCase(Locale.ROOT))
                                    .collect(Collectors.joining(", ")));
        }
    }
}
