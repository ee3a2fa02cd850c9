package dev.portcullis.recorder.rest;

import dev.portcullis.contracts.recording.RecordingFormat;
import dev.portcullis.contracts.recording.SigningKeys;
import dev.portcullis.recorder.api.ApiError;
import dev.portcullis.recorder.ingest.RecordingLedger;
import dev.portcullis.recorder.recording.RecordingSigner;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Base64;
import java.util.List;

/**
 * The recorder's signing keys and its ledger (docs/architecture.md "Recordings"). The keys are published for
 * convenience; an auditor who verifies offline pins them out of band (from the deployment's Secret or the docs),
 * since a recorder that is not trusted could publish any key.
 */
@Path("/v1/recordings")
@RolesAllowed(Roles.AUDITOR)
public class RecordingKeysResource {

    /** One public key: its id (a fingerprint), algorithm, SPKI as Base64 and as PEM, and whether it signs now. */
    public record KeyView(String keyId, String alg, String publicKey, String pem, boolean current) {}

    static final int MAX_LEDGER_PAGE = 5000;

    private final RecordingSigner signer;
    private final RecordingLedger ledger;

    RecordingKeysResource(RecordingSigner signer, RecordingLedger ledger) {
        this.signer = signer;
        this.ledger = ledger;
    }

    @GET
    @Path("keys")
    @Produces(MediaType.APPLICATION_JSON)
    public List<KeyView> keys() {
        return signer.trusted().entrySet().stream()
                .map(e -> new KeyView(
                        e.getKey(),
                        RecordingFormat.ALG,
                        Base64.getEncoder().encodeToString(e.getValue().getEncoded()),
                        SigningKeys.publicPem(e.getValue()),
                        e.getKey().equals(signer.keyId())))
                .toList();
    }

    /**
     * The order recordings were sealed in, from index {@code from}: which session each index is, and whether
     * retention deleted it ({@code expired_at}), to tell a gap the offline verifier finds from a deletion.
     */
    @GET
    @Path("ledger")
    @Produces(MediaType.APPLICATION_JSON)
    public List<RecordingLedger.Entry> ledger(
            @QueryParam("from") @DefaultValue("0") long from, @QueryParam("limit") @DefaultValue("500") int limit) {
        if (from < 0) {
            throw ApiError.invalid("from", "must be >= 0");
        }
        if (limit < 1 || limit > MAX_LEDGER_PAGE) {
            throw ApiError.invalid("limit", "must be between 1 and " + MAX_LEDGER_PAGE);
        }
        return ledger.list(from, limit);
    }
}
