package dev.portcullis.broker.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.broker.entity.AuditEntry;
import dev.portcullis.broker.repository.AuditRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/** Writes audit rows; call inside the transaction of the action it records. */
@ApplicationScoped
public class AuditService {

    private final AuditRepository repository;
    private final ObjectMapper json;

    public AuditService(AuditRepository repository, ObjectMapper json) {
        this.repository = repository;
        this.json = json;
    }

    public Uni<Void> record(String actor, String action, String targetType, Object targetId, Map<String, ?> details) {
        AuditEntry e = new AuditEntry();
        e.at = OffsetDateTime.now(ZoneOffset.UTC);
        e.actor = actor;
        e.action = action;
        e.targetType = targetType;
        e.targetId = String.valueOf(targetId);
        try {
            e.details = details == null || details.isEmpty() ? null : json.writeValueAsString(details);
        } catch (JsonProcessingException ex) {
            e.details = null;
        }
        return repository.persist(e).replaceWithVoid();
    }
}
