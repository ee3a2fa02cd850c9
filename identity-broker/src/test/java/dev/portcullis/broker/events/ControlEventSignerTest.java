package dev.portcullis.broker.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.events.ControlEventSignature;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.recording.SigningKeys;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker signs with the key from its file, and does not start without one (fail closed). */
class ControlEventSignerTest {

    @Test
    void withoutAKeyFileTheBrokerDoesNotStart() {
        for (Optional<String> unset : List.of(Optional.<String>empty(), Optional.of(" "))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ControlEventSigner.load(unset));
            assertTrue(e.getMessage().contains("portcullis.control-events.signing-key-file is not set"), e::getMessage);
        }
    }

    @Test
    void aKeyFileThatIsNoKeyPairStopsTheStart(@TempDir Path dir) throws Exception {
        Path publicOnly = dir.resolve("public.pem");
        Files.writeString(
                publicOnly, SigningKeys.publicPem(SigningKeys.generate().getPublic()));
        assertThrows(UncheckedIOException.class, () -> ControlEventSigner.load(Optional.of(publicOnly.toString())));
        assertThrows(
                UncheckedIOException.class,
                () -> ControlEventSigner.load(
                        Optional.of(dir.resolve("missing.pem").toString())));
    }

    @Test
    void whatItSignsVerifiesWithItsPublicKeyOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key.pem");
        Files.writeString(file, SigningKeys.toPem(SigningKeys.generate()));
        KeyPair pair = ControlEventSigner.load(Optional.of(file.toString()));
        ControlEventSigner signer = new ControlEventSigner(pair);
        String event =
                "{\"type\":\"" + EventTypes.REVIEW_APPROVED + "\",\"subject\":\"r1\",\"data\":{\"review_id\":\"r1\"}}";
        String signed = signer.sign(event);
        ControlEventSignature.Result r =
                ControlEventSignature.verify(SigningKeys.byId(List.of(signer.publicKey())), signed);
        assertEquals(EventAuth.Verdict.AUTHENTIC, r.verdict());
        assertEquals(signer.keyId(), r.keyId());
        assertEquals(event, r.event());
        assertEquals(
                EventAuth.Verdict.UNKNOWN_KEY,
                ControlEventSignature.verify(
                                SigningKeys.byId(List.of(SigningKeys.generate().getPublic())), signed)
                        .verdict());
    }
}
