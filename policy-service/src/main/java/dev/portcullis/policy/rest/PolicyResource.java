package dev.portcullis.policy.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portcullis.policy.engine.PolicyParser;
import dev.portcullis.policy.entity.Policy;
import dev.portcullis.policy.entity.PolicyChange;
import dev.portcullis.policy.security.Roles;
import dev.portcullis.policy.service.PolicyService;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OPA's Policy API for policy documents (YAML or JSON instead of Rego): {@code PUT} a raw
 * document, {@code GET} it back as {@code {"result": {"id", "raw", "ast", …}}}, {@code DELETE} it,
 * list them all. Every change is audited; {@code /history} shows the trail.
 */
@Path("/v1/policies")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Inject
    PolicyService policies;

    @Inject
    RequestBodies bodies;

    @Inject
    SecurityIdentity identity;

    @PUT
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    public Uni<Map<String, Object>> put(@PathParam("id") String id, byte[] body) {
        // the id is checked by the compiler (400 with the rule): a PUT creates, so a bad id is a bad request
        String raw = bodies.text(body);
        if (raw == null) {
            throw OpaException.badRequest("body must be a policy document (YAML or JSON)");
        }
        return policies.put(id, raw, actor()).map(version -> Map.of());
    }

    @GET
    @Path("{id}")
    public Uni<Map<String, Object>> get(@PathParam("id") String id) {
        return policies.get(existing(id)).map(p -> Map.of("result", view(p)));
    }

    @GET
    public Uni<Map<String, Object>> list() {
        return policies.list()
                .map(all ->
                        Map.of("result", all.stream().map(PolicyResource::view).toList()));
    }

    @DELETE
    @Path("{id}")
    public Uni<Map<String, Object>> delete(@PathParam("id") String id) {
        return policies.delete(existing(id), actor()).map(v -> Map.of());
    }

    @GET
    @Path("{id}/history")
    public Uni<Map<String, Object>> history(@PathParam("id") String id) {
        return policies.history(existing(id))
                .map(changes -> Map.of(
                        "result", changes.stream().map(PolicyResource::view).toList()));
    }

    /**
     * The id of a policy that may exist. One no policy can have (it breaks {@link PolicyParser#ID}, e.g. a NUL,
     * which PostgreSQL would refuse) is answered as an unknown one is, before any query.
     */
    static String existing(String id) {
        if (id == null || !PolicyParser.ID.matcher(id).matches()) {
            throw new OpaException(
                    404,
                    OpaError.RESOURCE_NOT_FOUND,
                    "storage_policy_not_found_err: no policy can have this id (ids match " + PolicyParser.ID.pattern()
                            + ")");
        }
        return id;
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }

    static Map<String, Object> view(Policy p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id);
        m.put("raw", p.raw);
        m.put("ast", ast(p.raw));
        m.put("version", p.version);
        m.put("updated_at", p.updatedAt.toString());
        m.put("updated_by", p.updatedBy);
        return m;
    }

    static Map<String, Object> view(PolicyChange c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", c.id);
        m.put("operation", c.operation.name().toLowerCase(java.util.Locale.ROOT));
        m.put("version", c.version);
        m.put("previous_version", c.previousVersion);
        m.put("previous_raw", c.previousRaw);
        m.put("changed_by", c.changedBy);
        m.put("changed_at", c.changedAt.toString());
        return m;
    }

    private static JsonNode ast(String raw) {
        try {
            return YAML.readTree(raw);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
