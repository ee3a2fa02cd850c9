package dev.portcullis.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DetectorsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {"4111111111111111", "4111 1111 1111 1111", "5500-0000-0000-0004", "card 378282246310005 here"})
    void luhnValidCardNumbersAreDetected(String text) {
        assertTrue(Detectors.detect(text, Detectors.CREDIT_CARD));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111111111111112", "1234567890123", "order 20261122031201", "12345"})
    void numbersFailingLuhnOrLengthAreNot(String text) {
        assertFalse(Detectors.detect(text, Detectors.CREDIT_CARD));
    }

    @Test
    void emailsCloudKeysAndJwtsAreDetected() {
        assertTrue(Detectors.detect("write to ops@example.com now", Detectors.EMAIL));
        assertFalse(Detectors.detect("user@localhost", Detectors.EMAIL));
        assertTrue(Detectors.detect("key=AKIAIOSFODNN7EXAMPLE", Detectors.CLOUD_KEY));
        assertTrue(Detectors.detect("AIzaSyA-1234567890abcdefghijklmnopqrstu", Detectors.CLOUD_KEY));
        assertFalse(Detectors.detect("AKIA-not-a-key", Detectors.CLOUD_KEY));
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJl";
        assertTrue(Detectors.detect("Bearer " + jwt, Detectors.JWT));
        assertFalse(Detectors.detect("eyJ.notatoken", Detectors.JWT));
    }

    @Test
    void maskReplacesEveryDetectedValue() {
        assertEquals(
                "INSERT INTO p VALUES ('[masked:email]', '[masked:credit_card]', '[masked:cloud_key]')",
                Detectors.mask(
                        "INSERT INTO p VALUES ('a.b@corp.example', '4111 1111 1111 1111', 'AKIAIOSFODNN7EXAMPLE')"));
        assertEquals("id 4111111111111112 stays", Detectors.mask("id 4111111111111112 stays"));
    }

    @Test
    void unknownDetectorIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Detectors.detect("x", "iban"));
    }

    @Test
    void sensitiveKeys() {
        assertTrue(Detectors.isSensitiveKey("db_password"));
        assertTrue(Detectors.isSensitiveKey("Authorization"));
        assertFalse(Detectors.isSensitiveKey("agent"));
    }
}
