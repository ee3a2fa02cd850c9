package dev.portcullis.broker.keycloak;

import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.connection.Connection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.admin.client.resource.ClientResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ClientScopeRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/**
 * Everything the broker asks of Keycloak's admin API. The admin client blocks, so every method
 * runs it on a worker thread ({@link Vertx#executeBlocking}) and resumes on the caller's Vert.x
 * context, where Hibernate Reactive can carry on.
 *
 * <p>Native image: nothing is registered here. quarkus-keycloak-admin-rest-client marks
 * {@code org/keycloak/admin/client/} and {@code org/keycloak/representations} as application archives, so
 * the Quarkus REST client registers, for reflection, the return and body types of every admin-client
 * interface method (ClientRepresentation, ClientScopeRepresentation, UserRepresentation,
 * RoleRepresentation, ProtocolMapperRepresentation, CredentialRepresentation, the token response), and
 * the extension registers Keycloak's own Jackson (de)serializers and the ResteasyClientProvider service
 * that {@link KeycloakBuilder} loads.
 */
@ApplicationScoped
public class KeycloakAdmin {

    private static final Logger LOG = Logger.getLogger(KeycloakAdmin.class);
    static final String AGENT_ROLE = "agent";
    static final String AUDIENCE_MAPPER = "oidc-audience-mapper";
    static final String ATTR_AGENT = "portcullis.agent";
    static final String ATTR_TEAM = "portcullis.team";
    /** Keycloak takes an exchanged token's lifetime from the client that exchanges it. */
    static final String ATTR_TOKEN_LIFESPAN = "access.token.lifespan";

    private final Keycloak keycloak;
    private final Vertx vertx;
    private final BrokerConfig.Keycloak config;
    private final Map<String, String> scopeIds = new ConcurrentHashMap<>();

    public KeycloakAdmin(Vertx vertx, BrokerConfig config) {
        this.vertx = vertx;
        this.config = config.keycloak();
        // one application-wide admin client (the extension's bean is request scoped, and this one is
        // used from schedulers and Kafka listeners too); it fetches and refreshes its own token
        this.keycloak = adminClient(this.config);
    }

    /** An admin client that logs in as the broker's service account (client credentials). */
    public static Keycloak adminClient(BrokerConfig.Keycloak config) {
        return KeycloakBuilder.builder()
                .serverUrl(config.url())
                .realm(config.realm())
                .grantType(OAuth2Constants.CLIENT_CREDENTIALS)
                .clientId(config.clientId())
                .clientSecret(config.clientSecret())
                .build();
    }

    @PreDestroy
    void close() {
        keycloak.close();
    }

    /** A new agent client: its Keycloak id and, for {@code CLIENT_SECRET}, the generated secret. */
    public record CreatedClient(String id, String secret) {
        @Override
        public String toString() {
            return "CreatedClient[" + id + "]";
        }
    }

    private RealmResource realm() {
        return keycloak.realm(config.realm());
    }

    /** Runs blocking admin-client code on a worker thread, unordered, mapping Keycloak's errors. */
    <T> Uni<T> blocking(String what, Callable<T> call) {
        return vertx.executeBlocking(
                () -> {
                    try {
                        return call.call();
                    } catch (WebApplicationException e) {
                        int status = e.getResponse() != null ? e.getResponse().getStatus() : 0;
                        throw new KeycloakException(
                                "Keycloak refused to " + what + " (HTTP " + status + ")", status, e);
                    } catch (KeycloakException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new KeycloakException("Keycloak call failed: " + what + ": " + e.getMessage(), 0, e);
                    }
                },
                false);
    }

    // ---- agents ----

    public Uni<CreatedClient> createAgentClient(
            String clientId, String description, String team, AgentCredentials credentials) {
        return blocking("create client " + clientId, () -> {
            ClientRepresentation c = new ClientRepresentation();
            c.setClientId(clientId);
            c.setName("Portcullis agent " + clientId);
            c.setDescription(description);
            c.setEnabled(true);
            c.setProtocol("openid-connect");
            c.setPublicClient(false);
            c.setBearerOnly(false);
            c.setServiceAccountsEnabled(true);
            c.setStandardFlowEnabled(false);
            c.setImplicitFlowEnabled(false);
            c.setDirectAccessGrantsEnabled(false);
            c.setConsentRequired(false);
            c.setFullScopeAllowed(true);
            c.setRedirectUris(List.of());
            c.setWebOrigins(List.of());
            Map<String, String> attrs = new HashMap<>();
            attrs.put(ATTR_AGENT, "true");
            attrs.put(ATTR_TEAM, team);
            attrs.put("client_credentials.use_refresh_token", "false");
            switch (credentials.method()) {
                case CLIENT_SECRET -> c.setClientAuthenticatorType("client-secret");
                case JWKS_URL -> {
                    c.setClientAuthenticatorType("client-jwt");
                    attrs.put("use.jwks.url", "true");
                    attrs.put("jwks.url", credentials.jwksUrl());
                }
                case JWKS -> {
                    c.setClientAuthenticatorType("client-jwt");
                    attrs.put("use.jwks.url", "false");
                    attrs.put("use.jwks.string", "true");
                    attrs.put("jwks.string", credentials.jwks());
                }
            }
            c.setAttributes(attrs);
            // The agent calls the broker with its own token, so that token must name the broker.
            c.setProtocolMappers(List.of(audienceMapper("audience " + config.clientId(), config.clientId())));
            String id;
            try (Response r = realm().clients().create(c)) {
                if (r.getStatus() == 409) {
                    throw new KeycloakException("a Keycloak client named " + clientId + " already exists", 409, null);
                }
                id = CreatedResponseUtil.getCreatedId(r);
            }
            try {
                ClientResource client = realm().clients().get(id);
                UserRepresentation sa = client.getServiceAccountUser();
                RoleRepresentation agent = realm().roles().get(AGENT_ROLE).toRepresentation();
                realm().users().get(sa.getId()).roles().realmLevel().add(List.of(agent));
                String secret = credentials.method() == AgentCredentials.Method.CLIENT_SECRET
                        ? client.getSecret().getValue()
                        : null;
                return new CreatedClient(id, secret);
            } catch (RuntimeException e) {
                // leave no half-made agent behind
                deleteQuietly(id);
                throw e;
            }
        });
    }

    private void deleteQuietly(String id) {
        try {
            realm().clients().get(id).remove();
        } catch (RuntimeException e) {
            LOG.warnf("could not remove Keycloak client %s after a failed create: %s", id, e.getMessage());
        }
    }

    public Uni<String> rotateSecret(String id) {
        return blocking(
                "rotate the secret of client " + id,
                () -> realm().clients().get(id).generateNewSecret().getValue());
    }

    public Uni<Void> setEnabled(String id, boolean enabled) {
        return blocking((enabled ? "enable" : "disable") + " client " + id, () -> {
            ClientResource client = realm().clients().get(id);
            ClientRepresentation c = client.toRepresentation();
            c.setEnabled(enabled);
            if (!enabled) {
                // tokens issued before now stop passing introspection at once
                c.setNotBefore((int) (System.currentTimeMillis() / 1000));
            }
            client.update(c);
            return null;
        });
    }

    public Uni<Void> updateAgent(String id, String description, String team) {
        return blocking("update client " + id, () -> {
            ClientResource client = realm().clients().get(id);
            ClientRepresentation c = client.toRepresentation();
            if (description != null) {
                c.setDescription(description);
            }
            if (team != null) {
                c.getAttributes().put(ATTR_TEAM, team);
            }
            client.update(c);
            return null;
        });
    }

    public Uni<Void> deleteClient(String id) {
        return blocking("delete client " + id, () -> {
            try {
                realm().clients().get(id).remove();
            } catch (jakarta.ws.rs.NotFoundException e) {
                // already gone: deleting is idempotent
            }
            return null;
        });
    }

    /** Lets the agent's client receive {@code scope} (an optional client scope) while a grant lasts. */
    public Uni<Void> addOptionalScope(String clientId, String scope) {
        return blocking("assign scope " + scope, () -> {
            realm().clients().get(clientId).addOptionalClientScope(scopeId(scope));
            return null;
        });
    }

    public Uni<Void> removeOptionalScope(String clientId, String scope) {
        return blocking("remove scope " + scope, () -> {
            try {
                realm().clients().get(clientId).removeOptionalClientScope(scopeId(scope));
            } catch (jakarta.ws.rs.NotFoundException e) {
                // not assigned (or client gone): nothing to remove
            }
            return null;
        });
    }

    /** The optional scopes currently assigned to a client (for tests and reconciliation). */
    public Uni<Set<String>> optionalScopes(String clientId) {
        return blocking("read scopes of " + clientId, () -> {
            Set<String> names = new LinkedHashSet<>();
            realm().clients().get(clientId).getOptionalClientScopes().forEach(s -> names.add(s.getName()));
            return names;
        });
    }

    // ---- connections ----

    /**
     * Makes sure every {@code conn:<connection>:<access>} scope exists with an audience mapper for
     * session-proxy, and is an optional scope of the broker's own client (token exchange evaluates
     * scopes against the exchanging client). Blocking; call from a worker thread.
     */
    public void ensureConnectionScopesBlocking(Collection<Connection> connections) {
        RealmResource realm = realm();
        Map<String, ClientScopeRepresentation> existing = new HashMap<>();
        for (ClientScopeRepresentation s : realm.clientScopes().findAll()) {
            existing.put(s.getName(), s);
            scopeIds.put(s.getName(), s.getId());
        }
        String brokerId = brokerClientId(realm);
        Set<String> brokerOptional = new LinkedHashSet<>();
        realm.clients().get(brokerId).getOptionalClientScopes().forEach(s -> brokerOptional.add(s.getName()));
        int created = 0;
        for (Connection c : connections) {
            for (String access : c.accessLevels()) {
                String name = c.scope(access);
                ClientScopeRepresentation scope = existing.get(name);
                if (scope == null) {
                    scope = new ClientScopeRepresentation();
                    scope.setName(name);
                    scope.setDescription(
                            "Access '" + access + "' to connection " + c.name() + " (managed by identity-broker)");
                    scope.setProtocol("openid-connect");
                    scope.setAttributes(Map.of("include.in.token.scope", "true", "display.on.consent.screen", "false"));
                    scope.setProtocolMappers(
                            List.of(audienceMapper("audience " + config.sessionAudience(), config.sessionAudience())));
                    try (Response r = realm.clientScopes().create(scope)) {
                        String id =
                                r.getStatus() == 409 ? findScopeId(realm, name) : CreatedResponseUtil.getCreatedId(r);
                        scopeIds.put(name, id);
                    }
                    created++;
                } else if (!hasAudience(scope, config.sessionAudience())) {
                    realm.clientScopes()
                            .get(scope.getId())
                            .getProtocolMappers()
                            .createMapper(
                                    audienceMapper("audience " + config.sessionAudience(), config.sessionAudience()))
                            .close();
                }
                if (!brokerOptional.contains(name)) {
                    realm.clients().get(brokerId).addOptionalClientScope(scopeIds.get(name));
                }
            }
        }
        LOG.infof("Keycloak connection scopes in place (%d created)", created);
    }

    /** Sets the lifespan Keycloak gives tokens the broker exchanges. Blocking. */
    public void ensureExchangeLifespanBlocking(long seconds) {
        RealmResource realm = realm();
        ClientResource broker = realm.clients().get(brokerClientId(realm));
        ClientRepresentation c = broker.toRepresentation();
        String wanted = Long.toString(seconds);
        if (!wanted.equals(c.getAttributes().get(ATTR_TOKEN_LIFESPAN))) {
            c.getAttributes().put(ATTR_TOKEN_LIFESPAN, wanted);
            broker.update(c);
            LOG.infof("Keycloak client %s: access token lifespan set to %ss", config.clientId(), wanted);
        }
    }

    private String brokerClientId(RealmResource realm) {
        List<ClientRepresentation> found = realm.clients().findByClientId(config.clientId());
        if (found.isEmpty()) {
            throw new KeycloakException("the broker's own client " + config.clientId() + " is missing", 404, null);
        }
        return found.get(0).getId();
    }

    private String scopeId(String name) {
        String id = scopeIds.get(name);
        if (id == null) {
            id = findScopeId(realm(), name);
            scopeIds.put(name, id);
        }
        return id;
    }

    private static String findScopeId(RealmResource realm, String name) {
        return realm.clientScopes().findAll().stream()
                .filter(s -> name.equals(s.getName()))
                .findFirst()
                .map(ClientScopeRepresentation::getId)
                .orElseThrow(() -> new KeycloakException("client scope " + name + " does not exist", 404, null));
    }

    private static boolean hasAudience(ClientScopeRepresentation scope, String audience) {
        return scope.getProtocolMappers() != null
                && scope.getProtocolMappers().stream()
                        .anyMatch(m -> AUDIENCE_MAPPER.equals(m.getProtocolMapper())
                                && m.getConfig() != null
                                && audience.equals(m.getConfig().get("included.client.audience")));
    }

    static ProtocolMapperRepresentation audienceMapper(String name, String audience) {
        ProtocolMapperRepresentation m = new ProtocolMapperRepresentation();
        m.setName(name);
        m.setProtocol("openid-connect");
        m.setProtocolMapper(AUDIENCE_MAPPER);
        m.setConfig(Map.of(
                "included.client.audience",
                audience,
                "access.token.claim",
                "true",
                "introspection.token.claim",
                "true",
                "id.token.claim",
                "false",
                "lightweight.claim",
                "false"));
        return m;
    }
}
