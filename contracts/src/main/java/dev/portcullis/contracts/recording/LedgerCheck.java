package dev.portcullis.contracts.recording;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Detects whole recordings deleted from a set (docs/architecture.md "Recordings"). The recorder numbers its
 * recordings as it seals them and each signed seal names the recording sealed before it (index and session), so
 * in a set of verified files every index between the lowest and the highest must be there, and each file's
 * predecessor must be the file it names. A recording removed from the middle leaves a gap that its successor's
 * signature vouches for; only the newest recording has no successor yet to name it.
 */
public final class LedgerCheck {

    private LedgerCheck() {}

    /** Problems of the set (empty when none); only valid results are considered. */
    public static List<String> check(List<RecordingCheck.Result> results) {
        Map<Long, RecordingCheck.Result> byIndex = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (RecordingCheck.Result r : results) {
            if (!r.valid() || r.ledgerIndex() < 0) {
                continue;
            }
            RecordingCheck.Result other = byIndex.put(r.ledgerIndex(), r);
            if (other != null && !Objects.equals(other.sessionId(), r.sessionId())) {
                problems.add("ledger #" + r.ledgerIndex() + " is claimed by sessions " + other.sessionId() + " and "
                        + r.sessionId());
            }
        }
        Long previous = null;
        for (RecordingCheck.Result r : byIndex.values()) {
            long i = r.ledgerIndex();
            if (previous != null && i != previous + 1) {
                problems.add(
                        i - previous - 1 == 1
                                ? "recording #" + (i - 1) + " (session " + r.prevSession() + ", named by #" + i
                                        + ") is missing"
                                : "recordings #" + (previous + 1) + " to #" + (i - 1) + " are missing (#" + i
                                        + " names session " + r.prevSession() + " before it)");
            } else if (previous != null) {
                RecordingCheck.Result before = byIndex.get(previous);
                if (r.prevIndex() != previous || !Objects.equals(r.prevSession(), before.sessionId())) {
                    problems.add("recording #" + i + " names #" + r.prevIndex() + " (session " + r.prevSession()
                            + ") before it, but #" + previous + " is session " + before.sessionId());
                }
            }
            previous = i;
        }
        return problems;
    }
}
