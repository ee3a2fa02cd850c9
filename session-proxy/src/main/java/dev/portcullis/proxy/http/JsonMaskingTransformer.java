package dev.portcullis.proxy.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Masks a JSON response as it streams, token by token (Jackson's non-blocking parser feeding a
 * generator), so a large list or an endless watch is never held whole:
 * <ul>
 * <li>the values of {@code data} and {@code stringData} of every {@code Secret} become
 * {@code [REDACTED]} (base64-encoded in {@code data}, so typed clients still decode it), and so does
 * the {@code kubectl.kubernetes.io/last-applied-configuration} annotation, which holds the whole
 * Secret as kubectl applied it — of a Secret, and of any object whose annotation itself may be a Secret
 * ({@code PartialObjectMetadata} and Table rows carry metadata without saying whose). An object is a Secret when the request was for {@code secrets}, when
 * it says {@code "kind": "Secret"}, or when it is an item of a {@code SecretList}. kube-apiserver
 * writes {@code kind} before the other fields (Go encodes struct fields in order), which is what
 * the kind test relies on; requests for {@code secrets} do not depend on it.</li>
 * <li>every other string value goes through the decision's detectors.</li>
 * </ul>
 * A body of several root values (a watch: one event per line) is written back one event per line,
 * each flushed as soon as it is complete.
 */
final class JsonMaskingTransformer implements BodyTransformer {

    static final String REDACTED = Masker.REDACTED;
    static final String REDACTED_BASE64 = Base64.getEncoder().encodeToString(REDACTED.getBytes(StandardCharsets.UTF_8));
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final Set<String> SECRET_KINDS = Set.of("Secret", "SecretList");

    /** Caps on what one token may be: a hostile target cannot make the proxy hold more than this. */
    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(256)
                    .maxStringLength(16 * 1024 * 1024)
                    .maxNumberLength(1000)
                    .build())
            .rootValueSeparator((String) null)
            .build();

    private enum Values {
        PLAIN,
        DATA,
        STRING_DATA,
        ANNOTATIONS
    }

    private static final class Frame {
        final boolean object;
        boolean secret;
        final Values values;
        String field;

        Frame(boolean object, boolean secret, Values values) {
            this.object = object;
            this.secret = secret;
            this.values = values;
        }
    }

    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private final ByteArrayBuilder out = new ByteArrayBuilder(8192);
    private final JsonGenerator gen;
    private final Masker masker;
    private final Masker.ColumnPlan detectors;
    private final boolean secretsRequest;
    private final boolean linePerValue;
    private final Deque<Frame> frames = new ArrayDeque<>();
    private long rootValues;

    /**
     * @param secretsRequest the request was for the {@code secrets} resource: every object is a Secret
     * @param linePerValue write a newline after each root value (watch streams)
     */
    JsonMaskingTransformer(Masker masker, List<MaskRule> rules, boolean secretsRequest, boolean linePerValue)
            throws IOException {
        this.masker = masker;
        this.detectors =
                Masker.plan(rules.stream().filter(r -> r.detector() != null).toList(), null);
        this.secretsRequest = secretsRequest;
        this.linePerValue = linePerValue;
        this.parser = FACTORY.createNonBlockingByteArrayParser();
        this.feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
        this.gen = FACTORY.createGenerator(out);
    }

    /** How many complete root values (watch events) went through. */
    long rootValues() {
        return rootValues;
    }

    @Override
    public Buffer feed(Buffer in) throws IOException {
        byte[] bytes = in.getBytes();
        feeder.feedInput(bytes, 0, bytes.length);
        drain();
        return take();
    }

    @Override
    public Buffer end() throws IOException {
        feeder.endOfInput();
        drain();
        if (!frames.isEmpty()) {
            throw new IOException("the target's JSON ended inside a value");
        }
        return take();
    }

    private Buffer take() throws IOException {
        gen.flush();
        byte[] b = out.toByteArray();
        out.reset();
        return Buffer.buffer(b);
    }

    private void drain() throws IOException {
        JsonToken t;
        while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
            token(t);
        }
    }

    private void token(JsonToken t) throws IOException {
        Frame top = frames.peek();
        switch (t) {
            case START_OBJECT, START_ARRAY -> {
                boolean secret = top == null ? secretsRequest : top.secret;
                Values values = Values.PLAIN;
                if (top != null) {
                    values = top.values;
                    if (top.object && top.values == Values.PLAIN) {
                        values = switch (String.valueOf(top.field)) {
                            case "data" -> top.secret ? Values.DATA : Values.PLAIN;
                            case "stringData" -> top.secret ? Values.STRING_DATA : Values.PLAIN;
                            case "annotations" -> Values.ANNOTATIONS;
                            default -> Values.PLAIN;
                        };
                    }
                }
                frames.push(new Frame(t == JsonToken.START_OBJECT, secret, values));
                gen.copyCurrentEvent(parser);
            }
            case END_OBJECT, END_ARRAY -> {
                frames.pop();
                gen.copyCurrentEvent(parser);
                if (frames.isEmpty()) {
                    rootEnded();
                }
            }
            case FIELD_NAME -> {
                top.field = parser.currentName();
                gen.copyCurrentEvent(parser);
            }
            case VALUE_STRING -> {
                gen.writeString(maskString(top, parser.getText()));
                if (top == null) {
                    rootEnded();
                }
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                gen.writeNumber(parser.getText()); // the target's own spelling, digit for digit
                if (top == null) {
                    rootEnded();
                }
            }
            default -> {
                gen.copyCurrentEvent(parser);
                if (top == null) {
                    rootEnded();
                }
            }
        }
    }

    private String maskString(Frame top, String value) {
        if (top != null) {
            if (top.object && "kind".equals(top.field) && SECRET_KINDS.contains(value)) {
                top.secret = true;
            }
            switch (top.values) {
                case DATA -> {
                    return REDACTED_BASE64;
                }
                case STRING_DATA -> {
                    return REDACTED;
                }
                case ANNOTATIONS -> {
                    if (LAST_APPLIED.equals(top.field) && (top.secret || mayHoldASecret(value))) {
                        return REDACTED;
                    }
                }
                default -> {
                    if (top.object && top.secret && ("data".equals(top.field) || "stringData".equals(top.field))) {
                        return REDACTED; // not an object where one was expected: hide it anyway
                    }
                }
            }
        }
        return detectors.masksAnything() ? masker.apply(detectors, value) : value;
    }

    /**
     * Whether a {@code last-applied-configuration} value may be a Secret as kubectl applied it: its {@code kind} says
     * Secret or List, it has none, or it is not JSON. Needed where the object around it does not say it is a Secret:
     * {@code PartialObjectMetadata}, a Table row's metadata, a list of mixed kinds.
     */
    static boolean mayHoldASecret(String lastApplied) {
        try (JsonParser p = FACTORY.createParser(lastApplied)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return true;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                t = p.nextToken();
                if ("kind".equals(field)) {
                    return t != JsonToken.VALUE_STRING
                            || SECRET_KINDS.contains(p.getText())
                            || p.getText().endsWith("List");
                }
                p.skipChildren();
            }
            return true; // no kind
        } catch (IOException e) {
            return true;
        }
    }

    private void rootEnded() throws IOException {
        rootValues++;
        if (linePerValue) {
            gen.flush();
            out.write('\n');
        }
    }
}
