package dev.portcullis.proxy.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The per-agent session cap and the kill switch's cut-offs. */
class SessionRegistryTest {

    @Test
    void anAgentGetsAtMostMaxSessionsAndAClosedOneFreesItsPlace() {
        SessionRegistry r = new SessionRegistry();
        for (int i = 0; i < 3; i++) {
            assertThat(r.tryOpenAgentSession("postgres", "ci", 3)).isTrue();
        }
        assertThat(r.tryOpenAgentSession("postgres", "ci", 3)).as("the fourth").isFalse();
        assertThat(r.openAgentSessions("postgres", "ci")).isEqualTo(3);
        assertThat(r.tryOpenAgentSession("postgres", "backup", 3))
                .as("another agent has its own count")
                .isTrue();
        assertThat(r.tryOpenAgentSession("ssh", "ci", 3))
                .as("another protocol has its own count")
                .isTrue();
        r.agentSessionClosed("postgres", "ci");
        assertThat(r.tryOpenAgentSession("postgres", "ci", 3)).isTrue();
        assertThat(r.tryOpenAgentSession("postgres", "ci", 3)).isFalse();
    }

    @Test
    void closingEverySessionForgetsTheAgentAndExtraClosesNeverGoBelowZero() {
        SessionRegistry r = new SessionRegistry();
        r.tryOpenAgentSession("postgres", "ci", 2);
        r.agentSessionClosed("postgres", "ci");
        r.agentSessionClosed("postgres", "ci");
        assertThat(r.openAgentSessions("postgres", "ci")).isZero();
        assertThat(r.tryOpenAgentSession("postgres", "ci", 2)).isTrue();
        assertThat(r.tryOpenAgentSession("postgres", "ci", 2)).isTrue();
        assertThat(r.tryOpenAgentSession("postgres", "ci", 2))
                .as("a stray close did not make room for a third")
                .isFalse();
    }

    @Test
    void zeroMeansNoCapButStillCounts() {
        SessionRegistry r = new SessionRegistry();
        for (int i = 0; i < 100; i++) {
            assertThat(r.tryOpenAgentSession("postgres", "ci", 0)).isTrue();
        }
        assertThat(r.openAgentSessions("postgres", "ci")).isEqualTo(100);
    }

    @Test
    void concurrentOpensNeverAdmitMoreThanTheCap() throws Exception {
        SessionRegistry r = new SessionRegistry();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> tries = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                tries.add(() -> r.tryOpenAgentSession("postgres", "ci", 20));
            }
            int admitted = 0;
            for (Future<Boolean> f : pool.invokeAll(tries)) {
                admitted += f.get() ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(20);
            assertThat(r.openAgentSessions("postgres", "ci")).isEqualTo(20);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A token's {@code iat} has whole seconds, so one issued in the kill switch's own second may predate it: cut off
     * (fail closed). A kubectl watch that reconnected with such a token got through once.
     */
    @Test
    void aTokenFromTheKillSwitchsOwnSecondIsCutOffAndOneFromTheNextIsNot() {
        SessionRegistry r = new SessionRegistry();
        Instant at = Instant.parse("2026-12-05T06:34:09.777Z");
        r.terminateAgent("ci", null, "agent ci was disabled", at);
        assertThat(r.cutOff("ci", Instant.parse("2026-12-05T06:34:08Z"), "pg-prod"))
                .as("earlier second")
                .isTrue();
        assertThat(r.cutOff("ci", Instant.parse("2026-12-05T06:34:09Z"), "pg-prod"))
                .as("the same second")
                .isTrue();
        assertThat(r.cutOff("ci", Instant.parse("2026-12-05T06:34:10Z"), "pg-prod"))
                .as("the next second")
                .isFalse();
        assertThat(r.cutOff("other", Instant.parse("2026-12-05T06:34:08Z"), "pg-prod"))
                .as("another agent")
                .isFalse();
        r.terminateAgent("ci2", "pg-prod", "grant revoked", at);
        assertThat(r.cutOff("ci2", Instant.parse("2026-12-05T06:34:09Z"), "pg-prod"))
                .isTrue();
        assertThat(r.cutOff("ci2", Instant.parse("2026-12-05T06:34:09Z"), "ssh-prod"))
                .as("a revoked grant cuts off its connection only")
                .isFalse();
    }
}
