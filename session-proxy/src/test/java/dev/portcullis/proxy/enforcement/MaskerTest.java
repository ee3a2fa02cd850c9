package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.detect.DetectorSamples;
import dev.portcullis.contracts.detect.DetectorSamples.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MaskerTest {

    private final Masker masker = new Masker("a key of at least thirty-two bytes".getBytes());

    @Test
    void luhnDetectorMasksOnlyValidCardNumbers() {
        Masker.ColumnPlan plan = Masker.plan(List.of(new MaskRule(null, "credit_card", "last4")), "note");
        assertEquals("paid with ************1111 today", masker.apply(plan, "paid with 4111111111111111 today"));
        String notACard = "order 4111111111111112";
        assertSame(notACard, masker.apply(plan, notACard));
    }

    @Test
    void columnRulesAndStrategies() {
        List<MaskRule> rules =
                List.of(new MaskRule("email", null, "redact"), new MaskRule("customers.ssn", null, "hash"));
        assertEquals(Masker.REDACTED, masker.apply(Masker.plan(rules, "EMAIL"), "a@b.example"));
        String h = masker.apply(Masker.plan(rules, "ssn"), "123-45-6789");
        assertTrue(h.matches("hash:[0-9a-f]{8}:[0-9a-f]{16}"), h);
        assertEquals(h, masker.apply(Masker.plan(rules, "ssn"), "123-45-6789"));
        assertFalse(Masker.plan(rules, "name").masksAnything());
    }

    @Test
    void columnGlobsOfThePolicyPackMatchCaseInsensitively() {
        List<MaskRule> rules = List.of(
                new MaskRule("*email*", null, "redact"),
                new MaskRule("*card*", null, "last4"),
                new MaskRule("customers.ph?ne", null, "redact"));
        assertEquals(Masker.REDACTED, masker.apply(Masker.plan(rules, "Customer_EMAIL"), "a@b.example"));
        assertEquals("************1111", masker.apply(Masker.plan(rules, "card_number"), "4111111111111111"));
        assertEquals(Masker.REDACTED, masker.apply(Masker.plan(rules, "phone"), "+1 202 555 0103"));
        assertFalse(Masker.plan(rules, "name").masksAnything());
        assertFalse(Masker.plan(rules, "emai").masksAnything());
        assertTrue(Masker.glob("*a*b?", "xxaxxbz"));
        assertFalse(Masker.glob("*a*b?", "xxaxxb"));
    }

    @Test
    void emailCloudKeyAndJwtDetectors() {
        String text = "mail bob@example.com key AKIAIOSFODNN7EXAMPLE jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
        String out = masker.applyDetectors(
                List.of(
                        new MaskRule(null, "email", "redact"),
                        new MaskRule(null, "cloud_key", "redact"),
                        new MaskRule(null, "jwt", "redact")),
                text);
        assertEquals("mail [REDACTED] key [REDACTED] jwt [REDACTED]", out);
    }

    @Test
    void thePreCheckNeverSkipsAValueADetectorWouldMatch() {
        String[] secrets = {
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "5500005555555559",
            "a.b@example.org",
            "AKIAIOSFODNN7EXAMPLE",
            "ASIAIOSFODNN7EXAMPLE",
            "AIzaSyA-1234567890abcdefghijklmnopqrstu",
            "AWS_SECRET_ACCESS_KEY = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "ghp_abcdefghijklmnopqrstuvwxyz0123",
            "xoxb-1234567890-abc",
            "AccountKey=" + "a".repeat(44),
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
        };
        List<MaskRule> all = List.of(
                new MaskRule(null, "credit_card", "redact"),
                new MaskRule(null, "email", "redact"),
                new MaskRule(null, "cloud_key", "redact"),
                new MaskRule(null, "jwt", "redact"));
        for (String secret : secrets) {
            String masked = masker.applyDetectors(all, "before " + secret + " after");
            assertEquals("before " + Masker.REDACTED + " after", masked, secret);
        }
        // and values that cannot hold a match come back untouched (the same instance)
        String plain = "x".repeat(10_000) + " 1234 no secrets here";
        org.junit.jupiter.api.Assertions.assertSame(plain, masker.applyDetectors(all, plain));
    }

    static List<Sample> detectorSamples() {
        return DetectorSamples.all();
    }

    /** What policy-service's CEL detect() finds in a sample (its DetectFunctionTest) is exactly what is masked here. */
    @ParameterizedTest
    @MethodSource("detectorSamples")
    void masksExactlyWhatTheSharedDetectorSamplesHold(Sample s) {
        String masked = masker.applyDetectors(List.of(new MaskRule(null, s.detector(), "redact")), s.text());
        assertEquals(s.masked(Masker.REDACTED), masked);
        if (s.matches().isEmpty()) {
            assertSame(s.text(), masked, "nothing to mask: the same instance, no copy");
        }
    }

    @Test
    void detectorNamesAreTheContractsNamesOnly() {
        // names other than credit_card, email, cloud_key, jwt (any case) are unknown: the whole value is masked
        assertEquals(
                "paid with ************1111",
                masker.apply(
                        Masker.plan(List.of(new MaskRule(null, "CREDIT_CARD", "last4")), "x"),
                        "paid with 4111111111111111"));
        assertEquals(
                Masker.REDACTED,
                masker.apply(Masker.plan(List.of(new MaskRule(null, "card", "last4")), "x"), "4111111111111111"));
    }

    @Test
    void unknownDetectorFailsClosed() {
        assertEquals(
                Masker.REDACTED,
                masker.apply(Masker.plan(List.of(new MaskRule(null, "dna", "last4")), "x"), "GATTACA"));
    }
}
