package dev.portcullis.recorder.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.recorder.entity.DecisionLogEntry;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.events.SessionId;
import dev.portcullis.recorder.repository.DecisionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/** Auditor API over policy decision logs. */
@Path("/v1/decisions")
@RolesAllowed(Roles.AUDITOR)
public class DecisionResource {

    public record DecisionView(
            String decisionId,
            OffsetDateTime decidedAt,
            String agent,
            String connection,
            String sessionId,
            String protocol,
            String action,
            List<String> rules,
            String policyVersion,
            JsonNode log) {}

    private final DecisionRepository decisions;

    DecisionResource(DecisionRepository decisions) {
        this.decisions = decisions;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<PageView<DecisionView>> list(
            @QueryParam("agent") @Size(max = QueryParams.MAX_NAME) String agent,
            @QueryParam("connection") @Size(max = QueryParams.MAX_NAME) String connection,
            @QueryParam("session") @SessionId String session,
            @QueryParam("action") @Pattern(regexp = "|allow|deny|review", message = "must be allow, deny or review")
                    String action,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("50") int size) {
        QueryParams.paging(page, size);
        var filter = new DecisionRepository.Filter(
                QueryParams.blankToNull(agent),
                QueryParams.blankToNull(connection),
                QueryParams.blankToNull(session),
                QueryParams.blankToNull(action),
                QueryParams.time("from", from),
                QueryParams.time("to", to));
        return decisions
                .search(filter, page, size)
                .map(r -> new PageView<>(
                        r.items().stream().map(DecisionResource::view).toList(), page, size, r.total()));
    }

    private static DecisionView view(DecisionLogEntry d) {
        JsonNode log;
        try {
            log = JsonSupport.MAPPER.readTree(d.payload);
        } catch (IOException e) {
            log = null;
        }
        List<String> rules = d.rules == null || d.rules.isEmpty() ? List.of() : Arrays.asList(d.rules.split(","));
        return new DecisionView(
                d.decisionId,
                d.decidedAt,
                d.agent,
                d.connection,
                d.sessionId,
                d.protocol,
                d.action,
                rules,
                d.policyVersion,
                log);
    }
}
