package dev.portcullis.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration modes are enums: a misspelling stops the proxy at start, naming the key and the choices. */
class ProxyConfigTest {

    static ProxyConfig load(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(values);
        all.put("portcullis.token.issuer", "http://127.0.0.1:8180/realms/portcullis");
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(ProxyConfig.class)
                // Quarkus's own reading of "10s", as at start
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(all, "test", 500))
                .build();
        return config.getConfigMapping(ProxyConfig.class);
    }

    @Test
    void modesAreReadAsEnums() {
        ProxyConfig defaults = load(Map.of());
        assertEquals(ProxyConfig.DecisionCache.SHAPE, defaults.pg().decisionCache());
        assertEquals(ProxyConfig.Plaintext.LOOPBACK, defaults.pg().plaintext());
        assertEquals(ProxyConfig.Plaintext.LOOPBACK, defaults.http().plaintext());
        ProxyConfig set = load(Map.of(
                "portcullis.pg.decision-cache", "exact",
                "portcullis.pg.plaintext", "never",
                "portcullis.http.plaintext", "ANY"));
        assertEquals(ProxyConfig.DecisionCache.EXACT, set.pg().decisionCache());
        assertEquals(ProxyConfig.Plaintext.NEVER, set.pg().plaintext());
        assertEquals(ProxyConfig.Plaintext.ANY, set.http().plaintext());
        assertEquals("loopback", ProxyConfig.Plaintext.LOOPBACK.toString(), "logged as configured");
    }

    @Test
    void aMisspelledDecisionCacheFailsAtStart() {
        // as a free string, "exakt" meant "shape" without a word
        assertFails("portcullis.pg.decision-cache", "exakt", "shape", "exact", "off");
    }

    @Test
    void aMisspelledPlaintextModeFailsAtStart() {
        // as free strings, "nevr" meant "loopback": plaintext accepted where TLS was asked for
        assertFails("portcullis.pg.plaintext", "nevr", "loopback", "never", "any");
        assertFails("portcullis.http.plaintext", "nevr", "loopback", "never", "any");
    }

    @Test
    void sessionLimitsHaveTheirDocumentedDefaults() {
        ProxyConfig.SessionLimitDefaults d = load(Map.of()).pg().sessionLimits();
        assertEquals(Duration.ofMinutes(5), d.statementTimeout());
        assertEquals(Duration.ofSeconds(60), d.idleInTransactionSessionTimeout());
        assertEquals(Duration.ofSeconds(10), d.lockTimeout());
        assertEquals(1024L * 1024, d.tempFileLimit(), "1GB in kB");
        assertEquals(20, load(Map.of()).pg().maxSessionsPerAgent());
        assertEquals(Duration.ofMinutes(10), load(Map.of()).pg().readRoleAuditInterval());
        assertEquals(
                512L * 1024,
                load(Map.of("portcullis.pg.session-limits.temp-file-limit", "512MB"))
                        .pg()
                        .sessionLimits()
                        .tempFileLimit());
    }

    @Test
    void aTempFileLimitPostgreSqlWouldNotReadFailsAtStart() {
        // "1gb" is not a PostgreSQL size (units are case-sensitive there): it must not pass as some default
        assertFails("portcullis.pg.session-limits.temp-file-limit", "1gb", "kB, MB, GB or TB");
    }

    @Test
    void aReviewCarriesTenEarlierRequestsByDefaultAndAtMostTheContractsTwenty() {
        assertEquals(10, load(Map.of()).review().historySize());
        assertEquals(
                0, load(Map.of("portcullis.review.history-size", "0")).review().historySize());
        assertEquals(
                20,
                load(Map.of("portcullis.review.history-size", "20")).review().historySize());
        // more than the broker takes would have every review refused there, and the holds expire
        assertFails("portcullis.review.history-size", "21", "0 to 20");
        assertFails("portcullis.review.history-size", "-1", "0 to 20");
        assertFails("portcullis.review.history-size", "ten", "0 to 20");
    }

    static void assertFails(String key, String value, String... choices) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> load(Map.of(key, value)));
        String message = e.getMessage();
        assertTrue(message.contains(key), message);
        assertTrue(message.contains(value), message);
        for (String choice : choices) {
            assertTrue(message.contains(choice), message);
        }
    }
}
