package dev.portcullis.policy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.policy.model.Action;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration modes are enums: a misspelling stops the service at start, naming the key and the choices. */
class PolicyConfigTest {

    static PolicyConfig load(Map<String, String> values) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(PolicyConfig.class)
                .withSources(new PropertiesConfigSource(values, "test", 500))
                .build();
        return config.getConfigMapping(PolicyConfig.class);
    }

    @Test
    void fallbackActionIsReadAsAnAction() {
        assertEquals(Action.DENY, load(Map.of()).fallbackAction());
        assertEquals(
                Action.REVIEW,
                load(Map.of("portcullis.policy.fallback-action", "review")).fallbackAction());
        assertEquals(
                Action.ALLOW,
                load(Map.of("portcullis.policy.fallback-action", "ALLOW")).fallbackAction());
    }

    @Test
    void aMisspelledFallbackActionFailsAtStart() {
        // a free string would have reached Action.parse only on the first decision
        RuntimeException e =
                assertThrows(RuntimeException.class, () -> load(Map.of("portcullis.policy.fallback-action", "dney")));
        String message = e.getMessage();
        assertTrue(message.contains("portcullis.policy.fallback-action"), message);
        assertTrue(message.contains("dney"), message);
        assertTrue(message.contains("allow") && message.contains("review") && message.contains("deny"), message);
    }
}
