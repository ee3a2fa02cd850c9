package dev.portcullis.proxy.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The per-agent session cap: one token cannot take every backend connection of a target. */
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
}
