package dev.portcullis.contracts.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Each detector's scanner finds exactly what its specification finds, on many generated texts built from the
 * pieces that make (and almost make) a match: a regular expression (run by the JDK here, in the test only) for
 * e-mail, JWT and cloud keys, a brute-force search for card numbers. Seeded, so a failure repeats.
 */
class ScannerSpecTest {

    private static final int TEXTS = 20_000;

    static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
    static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*");
    static final Pattern CLOUD_KEY = Pattern.compile("(?:AKIA|ASIA)[0-9A-Z]{16}"
            + "|AIza[0-9A-Za-z_-]{35}"
            + "|(?i:aws_secret_access_key)\\s*[=:]\\s*[A-Za-z0-9/+=]{40}"
            + "|(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}"
            + "|xox[abposr]-[A-Za-z0-9-]{10,}"
            + "|AccountKey=[A-Za-z0-9/+=]{40,}");

    private static final String[] NOISE = {" ", "  ", ".", "-", "_", "a", "Z", "9", "x", ",", "\n", "=", ":", "/", "+"};

    private static List<int[]> scanned(Detector d, String text) {
        List<int[]> out = new ArrayList<>();
        DetectorMatcher m = d.matcher(text);
        while (m.find()) {
            out.add(new int[] {m.start(), m.end()});
        }
        return out;
    }

    private static List<int[]> regex(Pattern p, String text) {
        List<int[]> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(new int[] {m.start(), m.end()});
        }
        return out;
    }

    private static String text(Random r, String[] pieces) {
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            b.append(r.nextInt(3) == 0 ? NOISE[r.nextInt(NOISE.length)] : pieces[r.nextInt(pieces.length)]);
        }
        return b.toString();
    }

    private static void check(Detector d, Pattern spec, String[] pieces, long seed) {
        Random r = new Random(seed);
        int withMatch = 0;
        for (int i = 0; i < TEXTS; i++) {
            String t = text(r, pieces);
            List<int[]> expected = regex(spec, t);
            assertThat(scanned(d, t)).as("%s in «%s»", d, t).containsExactlyElementsOf(expected);
            if (!expected.isEmpty()) {
                withMatch++;
                assertThat(d.mayMatch(t)).as("pre-check of %s on «%s»", d, t).isTrue();
            }
        }
        assertThat(withMatch).as("texts with a match").isGreaterThan(TEXTS / 50);
    }

    @Test
    void emailAddresses() {
        check(
                Detector.EMAIL,
                EMAIL,
                new String[] {
                    "@", "a", "ab", "b.c", ".", "-", "%", "+", "x.io", "co", "1", "@ex", "ample.org", "..", "é"
                },
                1);
    }

    @Test
    void jsonWebTokens() {
        check(
                Detector.JWT,
                JWT,
                new String[] {
                    "eyJ",
                    "eyJhbGci",
                    "abcde",
                    "ab",
                    ".",
                    "_-",
                    "eyJzdWIi",
                    "OiJ4In0",
                    "9",
                    "e",
                    "yJ",
                    "eyJhbGciOiJ9.",
                    "eyJzdWIiOiJ4In0.",
                    "c2ln",
                    "eyJab."
                },
                2);
    }

    @Test
    void cloudKeys() {
        check(
                Detector.CLOUD_KEY,
                CLOUD_KEY,
                new String[] {
                    "AKIA",
                    "ASIA",
                    "IOSFODNN7EXAMPLE",
                    "AIza",
                    "SyA-1234567890abcdefghijklmnopqrs",
                    "tu",
                    "aws_secret_access_key",
                    "AWS_Secret_Access_KEY",
                    " = ",
                    ":",
                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    "ghp_",
                    "gho_",
                    "github_pat_",
                    "abcdefghij",
                    "0123456789",
                    "xoxb-",
                    "xoxz-",
                    "AccountKey=",
                    "aaaaaaaaaaaaaaaaaaaa",
                    "==",
                    "A",
                    "g",
                    "x"
                },
                3);
    }

    /** The definition, by brute force: leftmost start, then the longest number from it. */
    private static List<int[]> cardsByDefinition(String t) {
        List<int[]> out = new ArrayList<>();
        Pattern grouped = Pattern.compile("[0-9](?:[ -]?[0-9])*");
        int from = 0;
        outer:
        while (from < t.length()) {
            for (int s = from; s < t.length(); s++) {
                if (s > 0 && Character.isDigit(t.charAt(s - 1))) {
                    continue;
                }
                for (int e = Math.min(t.length(), s + 40); e > s; e--) {
                    String c = t.substring(s, e);
                    long digits = c.chars().filter(Character::isDigit).count();
                    if (digits >= 13
                            && digits <= 19
                            && grouped.matcher(c).matches()
                            && (e == t.length() || !Character.isDigit(t.charAt(e)))
                            && Luhn.valid(c)) {
                        out.add(new int[] {s, e});
                        from = e;
                        continue outer;
                    }
                }
            }
            break;
        }
        return out;
    }

    @Test
    void cardNumbers() {
        Random r = new Random(4);
        String[] pieces = {
            "4111",
            "1111",
            "4111111111111111",
            "5555-5555-5555-4444",
            "378282246310005",
            "0",
            "12",
            " ",
            "-",
            "  ",
            "9",
            "4000056655665556",
            "x"
        };
        int withMatch = 0;
        for (int i = 0; i < TEXTS / 4; i++) {
            String t = text(r, pieces);
            List<int[]> expected = cardsByDefinition(t);
            assertThat(scanned(Detector.CREDIT_CARD, t)).as("«%s»", t).containsExactlyElementsOf(expected);
            if (!expected.isEmpty()) {
                withMatch++;
                assertThat(Detector.CREDIT_CARD.mayMatch(t))
                        .as("pre-check on «%s»", t)
                        .isTrue();
            }
        }
        assertThat(withMatch).isGreaterThan(TEXTS / 80);
    }
}
