package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.portcullis.console.client.BrokerClient;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerificationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aValidRecordingShowsItsDigestChainKeyAndLedgerEntry() throws Exception {
        Verification v = Verification.of(new BrokerClient.Reply(
                200,
                JSON.readTree("{\"valid\":true,\"lines\":9,\"events\":7,\"session_id\":\"s1\",\"status\":\"complete\","
                        + "\"key_id\":\"ed25519-abc\",\"ledger_index\":41,\"source_auth\":\"hmac\","
                        + "\"chain_head\":\"c0ffee\",\"sha256\":\"5ha\",\"problems\":[]}")));
        assertEquals(
                new Verification(200, true, "5ha", "c0ffee", "ed25519-abc", "complete", 7, 41, "hmac", List.of(), ""),
                v);
    }

    @Test
    void anInvalidRecordingListsItsProblemsAndValidWithProblemsIsNotValid() throws Exception {
        Verification v = Verification.of(new BrokerClient.Reply(
                200, JSON.readTree("{\"valid\":false,\"problems\":[\"line 3: hash does not chain\"]}")));
        assertFalse(v.valid());
        assertEquals(List.of("line 3: hash does not chain"), v.problems());
        // fail closed: a verdict that claims valid but names a problem is shown as not valid
        Verification odd =
                Verification.of(new BrokerClient.Reply(200, JSON.readTree("{\"valid\":true,\"problems\":[\"x\"]}")));
        assertFalse(odd.valid());
        assertTrue(Verification.of(new BrokerClient.Reply(200, JSON.readTree("{\"valid\":true,\"problems\":[]}")))
                .valid());
    }

    @Test
    void aRefusalKeepsTheRecordersStatusAndReason() throws Exception {
        Verification forbidden = Verification.of(
                new BrokerClient.Reply(403, JSON.readTree("{\"status\":403,\"detail\":\"role auditor required\"}")));
        assertEquals(403, forbidden.status());
        assertFalse(forbidden.valid());
        assertEquals("role auditor required", forbidden.detail());
        Verification recording = Verification.of(new BrokerClient.Reply(409, MissingNode.getInstance()));
        assertEquals("still being recorded: verified once it is sealed", recording.detail());
        // a 200 that is not a verdict is the recorder misbehaving: 502, not valid
        Verification garbage = Verification.of(new BrokerClient.Reply(200, MissingNode.getInstance()));
        assertEquals(502, garbage.status());
        assertFalse(garbage.valid());
    }
}
