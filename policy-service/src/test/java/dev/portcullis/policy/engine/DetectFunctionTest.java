package dev.portcullis.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cel.bundle.Cel;
import dev.cel.runtime.CelEvaluationException;
import dev.portcullis.contracts.detect.DetectorSamples;
import dev.portcullis.contracts.detect.DetectorSamples.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CEL function {@code detect(text, name)} finds a value exactly where session-proxy's masking finds one: both
 * run over the same golden samples of {@code contracts} (the proxy's MaskerTest masks exactly their matches).
 */
class DetectFunctionTest {

    private static final Cel CEL = CelEnvironment.cel();

    static List<Sample> samples() {
        return DetectorSamples.all();
    }

    private static Object eval(String expression, String text) throws Exception {
        return CEL.createProgram(CEL.compile(expression).getAst()).eval(Map.of("text", text));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void detectsWhatTheSharedSamplesHold(Sample s) throws Exception {
        assertEquals(!s.matches().isEmpty(), eval("detect(text, '" + s.detector() + "')", s.text()), s.toString());
    }

    @Test
    void theNameIsMatchedIgnoringCase() throws Exception {
        assertEquals(true, eval("detect(text, 'CREDIT_CARD')", "card 4111 1111 1111 1111"));
    }

    @Test
    void anUnknownDetectorIsAnEvaluationError() {
        CelEvaluationException e = assertThrows(
                CelEvaluationException.class, () -> eval("detect(text, 'iban')", "DE89370400440532013000"));
        assertTrue(e.getMessage().contains("unknown detector 'iban'"), e.getMessage());
    }
}
