package dev.portcullis.policy.model;

import java.util.Map;

/** The action taken when no allow/review/deny rule matched, for connections carrying all of {@code tags}. */
public record ConnectionDefault(Map<String, String> tags, Action action) {

    public boolean matches(Map<String, String> connectionTags) {
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (!e.getValue().equals(connectionTags.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
