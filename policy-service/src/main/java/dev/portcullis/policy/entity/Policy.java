package dev.portcullis.policy.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A stored policy document: the raw text as written, and which version it is. */
@Entity
@Table(name = "policy")
public class Policy {

    @Id
    public String id;

    public long version;

    @Column(columnDefinition = "text")
    public String raw;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    @Column(name = "updated_by")
    public String updatedBy;

    @Override
    public String toString() {
        return "Policy[" + id + "@" + version + "]";
    }
}
