package dev.portcullis.recorder.ingest;

import dev.portcullis.recorder.recording.SeqRange;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Missing seq ranges as stored in metadata: {@code "3-4,9"}. */
public final class SeqRanges {

    private SeqRanges() {}

    public static String format(List<SeqRange> ranges) {
        return ranges.stream().map(SeqRange::toString).collect(Collectors.joining(","));
    }

    public static List<SeqRange> parse(String s) {
        List<SeqRange> out = new ArrayList<>();
        if (s == null || s.isBlank()) {
            return out;
        }
        for (String part : s.split(",")) {
            int dash = part.indexOf('-');
            if (dash < 0) {
                long v = Long.parseLong(part.trim());
                out.add(new SeqRange(v, v));
            } else {
                out.add(new SeqRange(
                        Long.parseLong(part.substring(0, dash).trim()),
                        Long.parseLong(part.substring(dash + 1).trim())));
            }
        }
        return out;
    }
}
