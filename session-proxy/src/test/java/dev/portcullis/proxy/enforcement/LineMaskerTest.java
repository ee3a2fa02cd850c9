package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.detect.Detector;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Line-by-line detector masking over a byte stream, and the detectors' linear pre-check. */
class LineMaskerTest {

    private static final Masker MASKER = new Masker(new byte[32]);
    private static final List<MaskRule> RULES =
            List.of(new MaskRule(null, "credit_card", "last4"), new MaskRule(null, "email", "redact"));

    private static String stream(LineMasker m, String text, int chunk) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < b.length; i += chunk) {
            out.append(m.feed(b, i, Math.min(chunk, b.length - i)));
        }
        return out.append(m.flush()).toString();
    }

    @Test
    void aSecretSplitAcrossReadsIsMaskedAtEveryChunkSize() {
        String text = "Ada 4111 1111 1111 1111 ada@example.com\nnothing here\nGrace 5555-5555-5555-4444 ümlaut\n";
        for (int chunk : new int[] {1, 2, 5, 13, 64, 1000}) {
            String out = stream(new LineMasker(MASKER, RULES, 65536), text, chunk);
            assertFalse(out.contains("4111 1111 1111 1111"), out);
            assertFalse(out.contains("5555-5555-5555-4444"), out);
            assertFalse(out.contains("ada@example.com"), out);
            assertTrue(out.contains("nothing here\n") && out.contains("ümlaut\n") && out.contains("1111"), out);
        }
    }

    @Test
    void longLinesGoOutInPiecesWithoutSplittingCharacters() {
        LineMasker m = new LineMasker(MASKER, List.of(), 10);
        String text = "ééééééééééééé"; // 26 bytes, no newline
        String first = m.feed(text.getBytes(StandardCharsets.UTF_8), 0, 26);
        assertFalse(first.isEmpty(), "a line over the cap is not held whole");
        assertFalse(first.contains("\uFFFD"), first);
        assertEquals(text, first + m.flush());
    }

    @Test
    void thePreCheckNeverRulesOutACardOrAnAddress() {
        for (String s :
                List.of("4111111111111111", "x 4111 1111 1111 1111 y", "378282246310005", "4111-1111-1111-1111")) {
            assertTrue(Detector.CREDIT_CARD.mayMatch(s), s);
        }
        assertFalse(Detector.CREDIT_CARD.mayMatch("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTExMTEx"));
        assertFalse(Detector.CREDIT_CARD.mayMatch("4111  1111 1111 1111"), "two spaces break a card");
        assertTrue(Detector.EMAIL.mayMatch("a@b.cd"));
        assertFalse(Detector.EMAIL.mayMatch("no address"));
    }
}
