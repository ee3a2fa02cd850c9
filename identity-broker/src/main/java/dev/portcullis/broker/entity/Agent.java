package dev.portcullis.broker.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A non-human identity: a Keycloak confidential client with a service account. */
@Entity
@Table(name = "agent")
public class Agent {

    @Id
    public UUID id;

    public String name;

    @Column(name = "keycloak_id")
    public String keycloakId;

    public String team;
    public String owner;
    public String description;

    @Column(name = "auth_method")
    public String authMethod;

    public boolean enabled;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at")
    public OffsetDateTime createdAt;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    @Override
    public String toString() {
        return "Agent[" + name + ", team=" + team + ", enabled=" + enabled + "]";
    }
}
