package dev.portcullis.broker.rest;

import dev.portcullis.broker.api.KeysApi.PublicKeyView;
import dev.portcullis.broker.events.ControlEventSigner;
import dev.portcullis.broker.security.Caller;
import dev.portcullis.contracts.recording.RecordingFormat;
import dev.portcullis.contracts.recording.SigningKeys;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.Base64;
import java.util.List;

/**
 * The public key the broker signs review decisions and identity events with (docs/architecture.md "Events",
 * {@code signature}), for an operator to put into session-proxy's pinned keys. For convenience only: a proxy pins the
 * key from the deployment's Secret, since a broker that is not trusted could publish any key.
 */
@Path("/v1/keys/control-events")
public class ControlEventKeysResource {

    private final ControlEventSigner signer;

    ControlEventKeysResource(ControlEventSigner signer) {
        this.signer = signer;
    }

    @GET
    @RolesAllowed({Caller.ADMIN, "auditor"})
    public List<PublicKeyView> keys() {
        return List.of(new PublicKeyView(
                signer.keyId(),
                RecordingFormat.ALG,
                Base64.getEncoder().encodeToString(signer.publicKey().getEncoded()),
                SigningKeys.publicPem(signer.publicKey())));
    }
}
