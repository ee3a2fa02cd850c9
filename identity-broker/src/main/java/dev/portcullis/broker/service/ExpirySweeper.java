package dev.portcullis.broker.service;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Ends grants, pending access requests and pending reviews whose time is up. */
@ApplicationScoped
public class ExpirySweeper {

    private static final Logger LOG = Logger.getLogger(ExpirySweeper.class);

    private final GrantService grants;
    private final AccessRequestService requests;
    private final ReviewService reviews;

    public ExpirySweeper(GrantService grants, AccessRequestService requests, ReviewService reviews) {
        this.grants = grants;
        this.requests = requests;
        this.reviews = reviews;
    }

    /** Runs on a Vert.x context (the method returns a Uni), where Hibernate Reactive works. */
    @Scheduled(
            every = "${portcullis.grants.sweep-interval:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return grants.expireDue()
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("%d grant(s) expired", n);
                    }
                })
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.errorf("grant expiry failed: %s", e.getMessage());
                    return 0;
                })
                .chain(() -> requests.expireDue().onFailure().recoverWithItem(0))
                .chain(() -> reviews.expireDue().onFailure().recoverWithItem(0))
                .replaceWithVoid();
    }
}
