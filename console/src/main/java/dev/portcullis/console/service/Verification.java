package dev.portcullis.console.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.console.client.BrokerClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorder's verdict on a stored recording ({@code POST /v1/recordings/verify?session=}, recorder-service/README.md
 * "Auditor API") as the session page shows it: whether it is valid, and what was checked — the file's SHA-256 (the
 * digest), the chain's last hash, the signing key, the ledger entry — with every problem the recorder found. A
 * refusal keeps the recorder's status and reason.
 */
public record Verification(
        int status,
        boolean valid,
        String sha256,
        @JsonProperty("chain_head") String chainHead,
        @JsonProperty("key_id") String keyId,
        @JsonProperty("recording_status") String recordingStatus,
        long events,
        @JsonProperty("ledger_index") long ledgerIndex,
        @JsonProperty("source_auth") String sourceAuth,
        List<String> problems,
        String detail) {

    public Verification {
        problems = List.copyOf(problems);
    }

    public static Verification of(BrokerClient.Reply reply) {
        JsonNode b = reply.body();
        if (reply.status() != 200 || !b.isObject()) {
            String detail = SessionViews.problem(b);
            if (reply.status() == 409) {
                detail = "still being recorded: verified once it is sealed";
            }
            return new Verification(
                    reply.status() == 200 ? 502 : reply.status(), false, "", "", "", "", 0, -1, "", List.of(), detail);
        }
        List<String> problems = new ArrayList<>();
        for (JsonNode p : b.path("problems")) {
            problems.add(p.isTextual() ? p.asText() : p.toString());
        }
        boolean valid = b.path("valid").asBoolean(false) && problems.isEmpty();
        return new Verification(
                200,
                valid,
                text(b.path("sha256")),
                text(b.path("chain_head")),
                text(b.path("key_id")),
                text(b.path("status")),
                b.path("events").asLong(),
                b.path("ledger_index").asLong(-1),
                text(b.path("source_auth")),
                problems,
                "");
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }
}
