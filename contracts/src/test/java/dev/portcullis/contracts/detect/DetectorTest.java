package dev.portcullis.contracts.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.detect.DetectorSamples.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DetectorTest {

    static List<Sample> samples() {
        return DetectorSamples.all();
    }

    private static List<String> found(Detector d, String text) {
        List<String> out = new ArrayList<>();
        DetectorMatcher m = d.matcher(text);
        while (m.find()) {
            out.add(text.substring(m.start(), m.end()));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("samples")
    void eachSampleYieldsExactlyItsMatches(Sample s) {
        Detector d = s.detectorEnum();
        assertThat(found(d, s.text())).containsExactlyElementsOf(s.matches());
        assertThat(d.foundIn(s.text())).isEqualTo(!s.matches().isEmpty());
        if (!s.matches().isEmpty()) {
            assertThat(d.mayMatch(s.text()))
                    .as("the pre-check never rules out a match")
                    .isTrue();
        }
        assertThat(d.replaceAll(s.text(), hit -> "[x]")).isEqualTo(s.masked("[x]"));
    }

    @Test
    void everyDetectorHasSamplesThatMatchAndSamplesThatDoNot() {
        Set<String> matching = samples().stream()
                .filter(s -> !s.matches().isEmpty())
                .map(Sample::detector)
                .collect(Collectors.toSet());
        Set<String> clean = samples().stream()
                .filter(s -> s.matches().isEmpty())
                .map(Sample::detector)
                .collect(Collectors.toSet());
        assertThat(matching).containsExactlyInAnyOrderElementsOf(Detector.ids());
        assertThat(clean).containsExactlyInAnyOrderElementsOf(Detector.ids());
    }

    @Test
    void namesAreTheMaskDirectiveNamesAndLookupIgnoresCase() {
        assertThat(Detector.ids()).containsExactly("credit_card", "email", "cloud_key", "jwt");
        assertThat(Detector.fromId("CREDIT_CARD")).contains(Detector.CREDIT_CARD);
        assertThat(Detector.fromId("card")).isEmpty();
        assertThat(Detector.fromId("iban")).isEmpty();
    }

    @Test
    void replaceAllReturnsTheSameInstanceWhenNothingMatches() {
        String plain = "x".repeat(10_000) + " 1234 no secrets here";
        for (Detector d : Detector.values()) {
            assertThat(d.replaceAll(plain, hit -> "[x]")).isSameAs(plain);
        }
    }

    @Test
    void digitRichTextIsScannedInLinearTime() {
        // 1 MB of single-separated digits: every digit starts a candidate; a backtracking pattern would crawl
        String digits = Stream.generate(() -> "1 2-3 4").limit(150_000).collect(Collectors.joining(" "));
        long t0 = System.nanoTime();
        found(Detector.CREDIT_CARD, digits);
        String at = "a".repeat(1_000_000) + "@";
        assertThat(found(Detector.EMAIL, at)).isEmpty();
        assertThat(System.nanoTime() - t0).as("nanoseconds").isLessThan(5_000_000_000L);
    }

    @Test
    void luhnIsTheChecksumOverDigitsOnly() {
        assertThat(Luhn.valid("4111 1111 1111 1111")).isTrue();
        assertThat(Luhn.valid("4111-1111-1111-1112")).isFalse();
        assertThat(Luhn.valid("79927398713")).isTrue();
        assertThat(Luhn.valid("")).isFalse();
    }

    @Test
    void sensitiveKeysMatchByPartIgnoringCase() {
        for (String key : List.of(
                "password",
                "db_password",
                "Authorization",
                "X-Api-Key",
                "apikey",
                "client_secret",
                "refresh_token",
                "id_token",
                "Set-Cookie",
                "credentials",
                "private_key",
                "passwd")) {
            assertThat(SensitiveKeys.isSensitive(key)).as(key).isTrue();
        }
        for (String key : List.of("agent", "text", "command", "session_id", "request_seq", "user", "pass")) {
            assertThat(SensitiveKeys.isSensitive(key)).as(key).isFalse();
        }
    }
}
