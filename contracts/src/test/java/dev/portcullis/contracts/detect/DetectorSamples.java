package dev.portcullis.contracts.detect;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The golden detector samples (test-jar, {@code fixtures/detect/samples.json}): a text and exactly what one detector
 * finds in it. policy-service's CEL {@code detect()} and session-proxy's masking test against the same samples, so
 * a rule and the proxy cannot disagree on what a card number or a cloud key is.
 */
public final class DetectorSamples {

    public static final String RESOURCE = "fixtures/detect/samples.json";

    private DetectorSamples() {}

    /**
     * @param detector the detector's id
     * @param text the text it runs on
     * @param matches what it finds, left to right; empty when nothing
     */
    public record Sample(String detector, String text, List<String> matches) {

        public Detector detectorEnum() {
            return Detector.fromId(detector).orElseThrow();
        }

        /** {@code text} with each match, left to right, replaced by {@code replacement}. */
        public String masked(String replacement) {
            StringBuilder out = new StringBuilder();
            int from = 0;
            for (String m : matches) {
                int at = text.indexOf(m, from);
                if (at < 0) {
                    throw new IllegalStateException("sample match '" + m + "' is not in its text, in order");
                }
                out.append(text, from, at).append(replacement);
                from = at + m.length();
            }
            return out.append(text.substring(from)).toString();
        }

        @Override
        public String toString() {
            return detector + ": " + text;
        }
    }

    public static List<Sample> all() {
        try (InputStream in = DetectorSamples.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            return new ObjectMapper().readValue(in, new TypeReference<List<Sample>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
