package dev.portcullis.broker.service;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.keycloak.KeycloakAdmin;
import dev.portcullis.broker.support.ConnectionsFileResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientScopeRepresentation;

@QuarkusTest
class ConnectionScopeSyncTest {

    @Inject
    BrokerConfig config;

    private Map<String, ClientScopeRepresentation> scopes() {
        Map<String, ClientScopeRepresentation> m = new java.util.HashMap<>();
        try (Keycloak keycloak = KeycloakAdmin.adminClient(config.keycloak())) {
            keycloak.realm("portcullis").clientScopes().findAll().forEach(s -> m.put(s.getName(), s));
        }
        return m;
    }

    private static boolean hasSessionProxyAudience(ClientScopeRepresentation s) {
        return s.getProtocolMappers() != null
                && s.getProtocolMappers().stream()
                        .anyMatch(m -> "oidc-audience-mapper".equals(m.getProtocolMapper())
                                && "session-proxy".equals(m.getConfig().get("included.client.audience")));
    }

    @Test
    void everyDeclaredAccessLevelHasAScopeWithTheSessionProxyAudience() {
        Map<String, ClientScopeRepresentation> scopes = scopes();
        for (String name : List.of(
                "conn:pg-test:read",
                "conn:pg-test:write",
                "conn:pg-prod:read",
                "conn:pg-prod:write",
                "conn:pg-prod:admin",
                "conn:pg-demo:read",
                "conn:pg-demo:admin")) {
            assertTrue(scopes.containsKey(name), name + " exists");
            assertTrue(hasSessionProxyAudience(scopes.get(name)), name + " adds aud session-proxy");
        }
    }

    @Test
    void aChangedConnectionsFileAddsScopes() throws Exception {
        Files.writeString(ConnectionsFileResource.file, ConnectionsFileResource.CONNECTIONS + """
                  ssh-bastion:
                    type: ssh
                    address: 127.0.0.1:22
                    credentials: { username: deploy, privateKeyFile: /nonexistent }
                    knownHosts: /nonexistent
                    accessLevels: [read]
                    tags: { env: dev }
                """);
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> scopes().containsKey("conn:ssh-bastion:read"));
        assertTrue(hasSessionProxyAudience(scopes().get("conn:ssh-bastion:read")));
    }
}
