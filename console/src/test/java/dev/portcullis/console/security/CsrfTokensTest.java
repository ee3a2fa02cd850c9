package dev.portcullis.console.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.console.config.ConsoleConfig;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CsrfTokensTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void aSessionsTokenMatchesOnlyThatSessionAndUser() {
        CsrfTokens tokens = new CsrfTokens(config(Optional.of(KEY)));
        String token = tokens.token("sid-1", "bob");
        assertTrue(tokens.matches("sid-1", "bob", token));
        assertEquals(token, new CsrfTokens(config(Optional.of(KEY))).token("sid-1", "bob"), "same key, same token");
        assertFalse(tokens.matches("sid-2", "bob", token), "another session of the same user");
        assertFalse(tokens.matches("sid-1", "dave", token), "another user");
        assertFalse(tokens.matches("sid-1", "bob", null), "no token");
        assertFalse(tokens.matches("sid-1", "bob", ""), "an empty token");
        assertFalse(tokens.matches("sid-1", "bob", token.substring(1)), "a truncated token");
        assertFalse(tokens.matches("sid-1", "bob", token + "A"), "a longer token");
    }

    @Test
    void withoutAConfiguredKeyEachProcessDrawsItsOwn() {
        String a = new CsrfTokens(config(Optional.empty())).token("sid-1", "bob");
        String b = new CsrfTokens(config(Optional.empty())).token("sid-1", "bob");
        assertNotEquals(a, b);
    }

    @Test
    void aShortKeyStopsTheStart() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> new CsrfTokens(config(Optional.of(shortKey))));
        assertTrue(e.getMessage().contains("at least 32 bytes"), e.getMessage());
    }

    private static ConsoleConfig config(Optional<String> key) {
        return TestCsrf.config(key);
    }
}
