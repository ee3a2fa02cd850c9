package dev.portcullis.broker.support;

import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.keycloak.KeycloakAdmin;
import jakarta.ws.rs.core.Response;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.GroupRepresentation;

/** Keycloak groups of the test realm, made the way an administrator would (the admin API). */
public final class Groups {

    private Groups() {}

    /** Makes {@code username} a member of {@code group}, creating the group when missing. Idempotent. */
    public static void ensureMember(BrokerConfig config, String group, String username) {
        try (Keycloak keycloak = KeycloakAdmin.adminClient(config.keycloak())) {
            RealmResource realm = keycloak.realm(config.keycloak().realm());
            GroupRepresentation g = new GroupRepresentation();
            g.setName(group);
            try (Response r = realm.groups().add(g)) {
                if (r.getStatus() != 201 && r.getStatus() != 409) {
                    throw new IllegalStateException("creating group " + group + ": HTTP " + r.getStatus());
                }
            }
            String groupId = realm.groups().groups(group, true, 0, 10, true).stream()
                    .filter(x -> group.equals(x.getName()))
                    .findFirst()
                    .orElseThrow()
                    .getId();
            String userId =
                    realm.users().searchByUsername(username, true).get(0).getId();
            realm.users().get(userId).joinGroup(groupId);
        }
    }
}
