package dev.portcullis.broker.service;

import dev.portcullis.broker.api.AgentApi;
import dev.portcullis.broker.api.AgentApi.AgentView;
import dev.portcullis.broker.api.AgentApi.AgentWithSecret;
import dev.portcullis.broker.api.AgentApi.CreateAgent;
import dev.portcullis.broker.api.AgentApi.UpdateAgent;
import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.entity.Agent;
import dev.portcullis.broker.events.EventPublisher;
import dev.portcullis.broker.keycloak.AgentCredentials;
import dev.portcullis.broker.keycloak.KeycloakAdmin;
import dev.portcullis.broker.repository.AgentRepository;
import dev.portcullis.contracts.events.AgentDisabled;
import dev.portcullis.contracts.events.EventTypes;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.PublicKey;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

/** Agents: the Keycloak client first (so it exists at once), then the broker's row and audit. */
@ApplicationScoped
public class AgentService {

    public static final String TARGET = "agent";

    private final AgentRepository agents;
    private final KeycloakAdmin keycloak;
    private final AuditService audit;
    private final EventPublisher events;
    private final JwksUrlCheck jwksUrls;
    private final String tokenEndpoint;

    public AgentService(
            AgentRepository agents,
            KeycloakAdmin keycloak,
            AuditService audit,
            EventPublisher events,
            JwksUrlCheck jwksUrls,
            BrokerConfig config) {
        this.agents = agents;
        this.keycloak = keycloak;
        this.audit = audit;
        this.events = events;
        this.jwksUrls = jwksUrls;
        this.tokenEndpoint = config.keycloak().url().replaceAll("/$", "") + "/realms/"
                + config.keycloak().realm() + "/protocol/openid-connect/token";
    }

    public Uni<AgentWithSecret> create(CreateAgent req, String actor, String actorUsername) {
        AgentCredentials credentials = credentials(req.auth());
        // Keycloak will fetch a jwksUrl itself: only where the configured targets allow
        Uni<Void> checked = credentials.method() == AgentCredentials.Method.JWKS_URL
                ? jwksUrls.check(credentials.jwksUrl())
                : Uni.createFrom().voidItem();
        return checked.flatMap(ok -> Panache.withSession(() -> agents.findByName(req.name())))
                .flatMap(existing -> {
                    if (existing != null) {
                        throw ProblemException.conflict("agent " + req.name() + " already exists");
                    }
                    return keycloak.createAgentClient(req.name(), req.description(), req.team(), credentials);
                })
                .flatMap(created -> {
                    OffsetDateTime now = now();
                    Agent a = new Agent();
                    a.id = UUID.randomUUID();
                    a.name = req.name();
                    a.keycloakId = created.id();
                    a.team = req.team();
                    a.owner = req.owner() == null || req.owner().isBlank() ? actorUsername : req.owner();
                    a.description = req.description();
                    a.authMethod = credentials.method().name();
                    a.enabled = true;
                    a.createdBy = actor;
                    a.createdAt = now;
                    a.updatedAt = now;
                    return Panache.withTransaction(() -> agents.persist(a)
                                    .call(() -> audit.record(
                                            actor,
                                            "agent.created",
                                            TARGET,
                                            a.name,
                                            details("team", a.team, "owner", a.owner, "auth", a.authMethod))))
                            .map(saved -> new AgentWithSecret(AgentView.of(saved), created.secret(), tokenEndpoint))
                            // the row could not be written: do not leave an orphan client in Keycloak
                            .onFailure()
                            .call(e -> keycloak.deleteClient(created.id()));
                });
    }

    public Uni<List<AgentView>> list(String team) {
        return Panache.withSession(() -> agents.listFiltered(team))
                .map(l -> l.stream().map(AgentView::of).toList());
    }

    public Uni<Agent> require(String name) {
        return Panache.withSession(() -> agents.findByName(name)).map(a -> {
            if (a == null) {
                throw ProblemException.notFound("no agent named " + name);
            }
            return a;
        });
    }

    public Uni<Agent> byId(UUID id) {
        return Panache.withSession(() -> agents.findById(id));
    }

    public Uni<AgentView> update(String name, UpdateAgent req, String actor) {
        return require(name).flatMap(a -> {
            Uni<Void> kc = Uni.createFrom().voidItem();
            if (req.description() != null || req.team() != null) {
                kc = kc.call(() -> keycloak.updateAgent(a.keycloakId, req.description(), req.team()));
            }
            boolean disabling = Boolean.FALSE.equals(req.enabled()) && a.enabled;
            boolean enabling = Boolean.TRUE.equals(req.enabled()) && !a.enabled;
            if (disabling || enabling) {
                // Keycloak first: a disabled agent must stop getting tokens at once
                kc = kc.call(() -> keycloak.setEnabled(a.keycloakId, enabling));
            }
            return kc.flatMap(v ->
                            Panache.withTransaction(() -> agents.findById(a.id).flatMap(row -> {
                                Map<String, Object> changes = new LinkedHashMap<>();
                                if (req.team() != null) {
                                    row.team = req.team();
                                    changes.put("team", req.team());
                                }
                                if (req.owner() != null) {
                                    row.owner = req.owner();
                                    changes.put("owner", req.owner());
                                }
                                if (req.description() != null) {
                                    row.description = req.description();
                                    changes.put("description", req.description());
                                }
                                if (req.enabled() != null) {
                                    row.enabled = req.enabled();
                                    changes.put("enabled", req.enabled());
                                }
                                row.updatedAt = now();
                                String action = disabling
                                        ? EventTypes.AGENT_DISABLED
                                        : enabling ? "agent.enabled" : "agent.updated";
                                return audit.record(actor, action, TARGET, row.name, changes)
                                        .replaceWith(row);
                            })))
                    .call(row -> disabling
                            ? publishDisabled(row, actor, "disabled")
                            : Uni.createFrom().voidItem())
                    .map(AgentView::of);
        });
    }

    public Uni<Void> delete(String name, String actor) {
        return require(name)
                .call(a -> keycloak.deleteClient(a.keycloakId))
                .call(a -> Panache.withTransaction(() -> agents.deleteById(a.id)
                        .call(() -> audit.record(actor, "agent.deleted", TARGET, a.name, Map.of()))))
                .call(a -> publishDisabled(a, actor, "deleted"))
                .replaceWithVoid();
    }

    public Uni<AgentWithSecret> rotateSecret(String name, String actor) {
        return require(name).flatMap(a -> {
            if (!"CLIENT_SECRET".equals(a.authMethod)) {
                throw ProblemException.conflict(
                        "agent " + name + " authenticates with private_key_jwt; it has no secret");
            }
            return keycloak.rotateSecret(a.keycloakId)
                    .call(s -> Panache.withTransaction(
                            () -> audit.record(actor, "agent.secret-rotated", TARGET, a.name, Map.of())))
                    .map(secret -> new AgentWithSecret(AgentView.of(a), secret, tokenEndpoint));
        });
    }

    private Uni<Void> publishDisabled(Agent a, String actor, String reason) {
        AgentDisabled data = new AgentDisabled(a.name, a.id.toString(), a.name, reason, actor, now().toString());
        return events.identityEvent(EventTypes.AGENT_DISABLED, a.name, a.name, data);
    }

    static AgentCredentials credentials(AgentApi.Auth auth) {
        if (auth == null || "client_secret".equals(auth.method())) {
            return AgentCredentials.secret();
        }
        int given = (auth.jwksUrl() != null ? 1 : 0)
                + (auth.jwks() != null ? 1 : 0)
                + (auth.publicKeyPem() != null ? 1 : 0);
        if (given != 1) {
            throw ProblemException.unprocessable("private_key_jwt needs exactly one of jwksUrl, jwks or publicKeyPem");
        }
        if (auth.jwksUrl() != null) {
            return new AgentCredentials(AgentCredentials.Method.JWKS_URL, auth.jwksUrl(), null);
        }
        try {
            if (auth.jwks() != null) {
                JsonWebKeySet set = new JsonWebKeySet(auth.jwks());
                if (set.getJsonWebKeys().isEmpty()) {
                    throw ProblemException.unprocessable("jwks holds no keys");
                }
                return new AgentCredentials(AgentCredentials.Method.JWKS, null, set.toJson());
            }
            PublicKey key = parsePem(auth.publicKeyPem());
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(key);
            jwk.setKeyId(jwk.calculateBase64urlEncodedThumbprint("SHA-256"));
            jwk.setUse("sig");
            return new AgentCredentials(AgentCredentials.Method.JWKS, null, new JsonWebKeySet(jwk).toJson());
        } catch (JoseException | IllegalArgumentException | java.security.GeneralSecurityException e) {
            if (e instanceof ProblemException p) {
                throw p;
            }
            throw ProblemException.unprocessable("the key is not usable: " + e.getMessage());
        }
    }

    static PublicKey parsePem(String pem) throws java.security.GeneralSecurityException {
        String b64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der = java.util.Base64.getDecoder().decode(b64);
        java.security.spec.X509EncodedKeySpec spec = new java.security.spec.X509EncodedKeySpec(der);
        for (String alg : List.of("RSA", "EC")) {
            try {
                return java.security.KeyFactory.getInstance(alg).generatePublic(spec);
            } catch (java.security.spec.InvalidKeySpecException e) {
                // try the next algorithm
            }
        }
        throw new java.security.spec.InvalidKeySpecException("not an RSA or EC public key in PEM (BEGIN PUBLIC KEY)");
    }

    static Map<String, Object> details(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
