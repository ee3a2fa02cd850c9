package dev.portcullis.recorder.repository;

import dev.portcullis.recorder.entity.DownloadAudit;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class DownloadAuditRepository implements PanacheRepositoryBase<DownloadAudit, Long> {

    public Uni<List<DownloadAudit>> forSession(String sessionId) {
        return list("sessionId", Sort.descending("downloadedAt").and("id"), sessionId);
    }
}
