package dev.portcullis.broker.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.contracts.Topics;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class ReviewRequestsReadinessTest {

    @Test
    void downUntilTheConsumerIsAssignedThenUpEvenWithNoPartition() {
        ReviewRequestsReadiness check = new ReviewRequestsReadiness();
        HealthCheckResponse before = check.call();
        assertEquals(Topics.REVIEW_REQUESTS, before.getName());
        assertEquals(HealthCheckResponse.Status.DOWN, before.getStatus());

        // a member of a group with more members than partitions is assigned nothing, and is still in the group
        check.onPartitionsAssigned(null, List.of());
        assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
    }
}
