package dev.portcullis.proxy.enforcement;

import dev.portcullis.contracts.detect.Detector;
import java.util.List;

/** What every protocol does to a request before it is recorded or sent for review, whatever the decision masks. */
public final class RecordedRequests {

    /**
     * Detectors applied to every recorded request (SQL text and parameters, SSH commands, HTTP
     * paths and query strings): card numbers, e-mail addresses, JWTs and cloud keys are redacted.
     */
    public static final List<MaskRule> DETECTORS = List.of(
            new MaskRule(null, Detector.CREDIT_CARD.id(), "redact"),
            new MaskRule(null, Detector.EMAIL.id(), "redact"),
            new MaskRule(null, Detector.JWT.id(), "redact"),
            new MaskRule(null, Detector.CLOUD_KEY.id(), "redact"));

    private RecordedRequests() {}
}
