package dev.portcullis.contracts.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The golden policy fixtures under {@code fixtures/policy/}, from this module's test-jar: the input session-proxy
 * sends to {@code POST /v1/data/portcullis/decision} and the answer policy-service gives (docs/architecture.md
 * "Policy"), so both services' tests agree on one shape. Plain Java (no JSON library): each test reads the text
 * with its own mapper.
 *
 * <ul>
 *   <li>{@code input-<protocol>….json}: an input exactly as session-proxy builds it; {@code time} and
 *       {@code session.started_at} are the only values that differ from one build to the next;
 *   <li>{@code result-….json}: the whole answer to a request with {@code ?provenance=true},
 *       {@code {"decision_id": …, "result": {…, "cache": {"scope": …}}, "provenance": {"revision": …}}}.
 * </ul>
 */
public final class PolicyFixtures {

    public static final String DIR = "fixtures/policy/";

    /** Input fixtures (file names without .json). */
    public static final List<String> INPUTS = List.of("input-postgres-query", "input-ssh-exec", "input-kubernetes");

    /** Result fixtures (file names without .json). */
    public static final List<String> RESULTS = List.of("result-allow", "result-deny", "result-review-with-mask");

    private PolicyFixtures() {}

    /** The text of fixture {@code name} (without .json). */
    public static String json(String name) {
        String resource = DIR + name + ".json";
        try (InputStream in = PolicyFixtures.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath (the contracts test-jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
