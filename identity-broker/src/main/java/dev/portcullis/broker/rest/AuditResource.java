package dev.portcullis.broker.rest;

import dev.portcullis.broker.entity.AuditEntry;
import dev.portcullis.broker.repository.AuditRepository;
import dev.portcullis.broker.security.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;

/** The audit trail of admin and approval actions, newest first. */
@Path("/v1/audit")
public class AuditResource {

    private final AuditRepository repository;

    public AuditResource(AuditRepository repository) {
        this.repository = repository;
    }

    @GET
    @RolesAllowed({Caller.ADMIN, "auditor"})
    public Uni<List<AuditEntry>> search(
            @QueryParam("targetType") @Size(max = 32) String targetType,
            @QueryParam("targetId") @Size(max = 100) String targetId,
            @QueryParam("actor") @Size(max = 255) String actor,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        return Panache.withSession(
                () -> repository.search(targetType, targetId, actor, Math.max(1, Math.min(limit, 1000))));
    }
}
