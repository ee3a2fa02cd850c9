package dev.portcullis.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kubernetes request parsing (as kube-apiserver's RequestInfoFactory), streaming JSON masking, Accept rewriting. */
class HttpUnitsTest {

    private static KubernetesRequest parse(String method, String path, String query) throws Exception {
        return KubernetesRequest.parse(method, path, query);
    }

    private static String shape(KubernetesRequest r) {
        return String.join(
                "|", r.verb(), r.apiGroup(), r.apiVersion(), r.namespace(), r.resource(), r.subresource(), r.name());
    }

    @Test
    void verbsResourcesNamespacesAndSubresourcesAreReadLikeTheApiServerDoes() throws Exception {
        assertEquals("list||v1|default|pods||", shape(parse("GET", "/api/v1/namespaces/default/pods", null)));
        assertEquals("get||v1|default|pods||web-0", shape(parse("GET", "/api/v1/namespaces/default/pods/web-0", "")));
        assertEquals("watch||v1|default|pods||", shape(parse("GET", "/api/v1/namespaces/default/pods", "watch=true")));
        assertEquals(
                "watch||v1|default|pods||",
                shape(parse("GET", "/api/v1/namespaces/default/pods", "watch=1&resourceVersion=5")));
        assertEquals(
                "watch||v1|default|pods||web-0",
                shape(parse(
                        "GET", "/api/v1/namespaces/default/pods", "fieldSelector=metadata.name%3Dweb-0&watch=true")));
        assertEquals("watch||v1|default|pods||", shape(parse("GET", "/api/v1/watch/namespaces/default/pods", null)));
        assertEquals("list||v1||pods||", shape(parse("GET", "/api/v1/pods", null)));
        assertEquals("create||v1|default|pods||", shape(parse("POST", "/api/v1/namespaces/default/pods", null)));
        assertEquals(
                "update|apps|v1|prod|deployments||web",
                shape(parse("PUT", "/apis/apps/v1/namespaces/prod/deployments/web", null)));
        assertEquals(
                "patch|apps|v1|prod|deployments|scale|web",
                shape(parse("PATCH", "/apis/apps/v1/namespaces/prod/deployments/web/scale", null)));
        assertEquals("delete||v1|prod|namespaces||prod", shape(parse("DELETE", "/api/v1/namespaces/prod", null)));
        assertEquals("deletecollection||v1|prod|pods||", shape(parse("DELETE", "/api/v1/namespaces/prod/pods", null)));
        assertEquals("list||v1||namespaces||", shape(parse("GET", "/api/v1/namespaces", null)));
        assertEquals(
                "update||v1|prod|namespaces|finalize|prod",
                shape(parse("PUT", "/api/v1/namespaces/prod/finalize", null)));
        assertEquals(
                "get||v1|default|pods|log|web-0",
                shape(parse("GET", "/api/v1/namespaces/default/pods/web-0/log", "follow=true")));
        assertEquals(
                "list|rbac.authorization.k8s.io|v1||clusterroles||",
                shape(parse("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/", null)));
        KubernetesRequest exec = parse(
                "GET", "/api/v1/namespaces/default/pods/web-0/exec", "command=sh&command=-c&command=id&stdout=true");
        assertEquals("get||v1|default|pods|exec|web-0", shape(exec));
        assertTrue(exec.streamingSubresource());
        assertEquals("sh -c id", exec.policyRequest(true).getString("command"));
        assertEquals("upgrade", exec.policyRequest(true).getString("kind"));
    }

    @Test
    void nonResourcePathsUseTheLowerCaseMethodAsVerb() throws Exception {
        for (String p :
                List.of("/api", "/apis", "/api/v1", "/apis/apps/v1", "/version", "/openapi/v3", "/healthz", "/")) {
            KubernetesRequest r = parse("GET", p, null);
            assertFalse(r.resourceRequest(), p);
            assertEquals("get", r.verb(), p);
            assertEquals("", r.resource(), p);
        }
    }

    @Test
    void pathsThatCouldBeReadTwoWaysAreRefused() {
        for (String p : List.of(
                "/api/v1/namespaces/a/pods/../../b/secrets",
                "/api/v1/./pods",
                "/api//v1/pods",
                "/api/v1/namespaces/a%2Fb/pods",
                "/api/v1/namespaces/%2e%2e/pods",
                "/api/v1/pods%00",
                "api/v1/pods",
                "/api/v1/pods\\x")) {
            assertThrows(KubernetesRequest.BadPathException.class, () -> parse("GET", p, null), p);
        }
    }

    @Test
    void policyRequestCarriesDesignFieldsAsStrings() throws Exception {
        JsonObject r = parse("DELETE", "/api/v1/namespaces/prod", null).policyRequest(false);
        for (String f : List.of("method", "path", "verb", "resource", "namespace", "subresource")) {
            assertTrue(r.getValue(f) instanceof String, f);
        }
        assertEquals("kubernetes", r.getString("protocol"));
        assertEquals("delete", r.getString("verb"));
        assertEquals("namespaces", r.getString("resource"));
        assertEquals("prod", r.getString("name"));
    }

    private static final Masker MASKER = new Masker(new byte[32]);
    private static final List<MaskRule> CARDS = List.of(new MaskRule(null, "credit_card", "last4"));

    private static String run(JsonMaskingTransformer t, String body, int chunk) throws Exception {
        byte[] in = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < in.length; i += chunk) {
            out.append(t.feed(Buffer.buffer(java.util.Arrays.copyOfRange(in, i, Math.min(in.length, i + chunk)))));
        }
        return out.append(t.end()).toString();
    }

    private static final String SECRET = """
            {"kind":"Secret","apiVersion":"v1","metadata":{"name":"db","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"data\\":{\\"password\\":\\"aHVudGVyMg==\\"}}","team":"payments"}},\
            "data":{"password":"aHVudGVyMg==","user":"YWRtaW4="},"stringData":{"token":"plain-secret"},"type":"Opaque"}""";

    @Test
    void secretDataStringDataAndLastAppliedAreMaskedAtEveryChunking() throws Exception {
        for (int chunk : new int[] {1, 3, 7, 64, 100_000}) {
            JsonObject masked =
                    new JsonObject(run(new JsonMaskingTransformer(MASKER, List.of(), false, false), SECRET, chunk));
            String redacted = Base64.getEncoder().encodeToString("[REDACTED]".getBytes(StandardCharsets.UTF_8));
            assertEquals(redacted, masked.getJsonObject("data").getString("password"), "chunk " + chunk);
            assertEquals(redacted, masked.getJsonObject("data").getString("user"));
            assertEquals("[REDACTED]", masked.getJsonObject("stringData").getString("token"));
            JsonObject annotations = masked.getJsonObject("metadata").getJsonObject("annotations");
            assertEquals("[REDACTED]", annotations.getString(JsonMaskingTransformer.LAST_APPLIED));
            assertEquals("payments", annotations.getString("team"));
            assertEquals("db", masked.getJsonObject("metadata").getString("name"));
            assertEquals("Opaque", masked.getString("type"));
        }
    }

    @Test
    void secretListItemsWithoutKindAreMaskedAndConfigMapsAreNot() throws Exception {
        String list = """
                {"kind":"SecretList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[\
                {"metadata":{"name":"a"},"data":{"k":"c2VjcmV0"}},{"metadata":{"name":"b"},"data":{"k":"c2VjcmV0Mg=="}}]}""";
        JsonObject masked = new JsonObject(run(new JsonMaskingTransformer(MASKER, List.of(), false, false), list, 5));
        for (Object item : masked.getJsonArray("items")) {
            assertFalse(((JsonObject) item).getJsonObject("data").getString("k").startsWith("c2Vj"));
        }
        String cm = """
                {"kind":"ConfigMapList","apiVersion":"v1","items":[{"metadata":{"name":"a"},"data":{"k":"visible"}}]}""";
        JsonObject kept = new JsonObject(run(new JsonMaskingTransformer(MASKER, List.of(), false, false), cm, 5));
        assertEquals(
                "visible",
                kept.getJsonArray("items")
                        .getJsonObject(0)
                        .getJsonObject("data")
                        .getString("k"));
    }

    @Test
    void aSecretsRequestMasksDataEvenWhereKindIsMissingOrLate() throws Exception {
        String late = """
                {"data":{"k":"c2VjcmV0"},"kind":"Secret","metadata":{"name":"x"}}""";
        JsonObject masked = new JsonObject(run(new JsonMaskingTransformer(MASKER, List.of(), true, false), late, 4));
        assertFalse(masked.getJsonObject("data").getString("k").startsWith("c2Vj"));
    }

    @Test
    void watchEventsAreMaskedAndWrittenOnePerLineAsTheyComplete() throws Exception {
        JsonMaskingTransformer t = new JsonMaskingTransformer(MASKER, CARDS, false, true);
        String first = "{\"type\":\"ADDED\",\"object\":" + SECRET + "}\n";
        Buffer out1 = t.feed(Buffer.buffer(first));
        assertTrue(out1.toString().endsWith("}\n"), "the first event is out before the second arrives");
        assertFalse(out1.toString().contains("aHVudGVyMg=="));
        Buffer partial = t.feed(Buffer.buffer(
                "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"ConfigMap\",\"data\":{\"card\":\"4111 1111"));
        Buffer rest = t.feed(Buffer.buffer(" 1111 1111\"}}}\n"));
        String second = partial.toString() + rest + t.end();
        assertEquals(2, t.rootValues());
        JsonObject ev = new JsonObject(second.strip());
        assertEquals("MODIFIED", ev.getString("type"));
        String card = ev.getJsonObject("object").getJsonObject("data").getString("card");
        assertFalse(card.contains("4111 1111 1111 1111"), card);
        assertTrue(card.endsWith("1111"), card);
    }

    @Test
    void numbersAndOtherValuesPassExactly() throws Exception {
        String body = "{\"a\":1.50,\"b\":12345678901234567890,\"c\":true,\"d\":null,\"e\":[1,2e3]}";
        assertEquals(body, run(new JsonMaskingTransformer(MASKER, List.of(), false, false), body, 3));
    }

    @Test
    void brokenOrTruncatedJsonFailsInsteadOfPassing() throws Exception {
        JsonMaskingTransformer t = new JsonMaskingTransformer(MASKER, List.of(), true, false);
        assertThrows(Exception.class, () -> run(t, "{\"data\":{\"k\":\"c2Vj\"", 4));
        JsonMaskingTransformer t2 = new JsonMaskingTransformer(MASKER, List.of(), false, false);
        assertThrows(Exception.class, () -> run(t2, "{\"a\":}", 100));
    }

    @Test
    void protobufAndCborAreRemovedFromAccept() throws Exception {
        KubernetesRequest discovery = parse("GET", "/apis", null);
        assertEquals(
                "application/json",
                KubeRepresentations.accept(discovery, "application/vnd.kubernetes.protobuf,application/json"));
        assertEquals("application/json", KubeRepresentations.accept(discovery, "application/vnd.kubernetes.protobuf"));
        assertEquals(
                "application/json;as=Table;v=v1;g=meta.k8s.io, application/json",
                KubeRepresentations.accept(
                        parse("GET", "/api/v1/pods", null),
                        "application/json;as=Table;v=v1;g=meta.k8s.io,application/cbor,application/json"));
    }

    @Test
    void kubernetesStatusHasTheShapeKubectlReads() {
        JsonObject s = HttpErrors.status(403, "Forbidden", "denied");
        assertEquals("Status", s.getString("kind"));
        assertEquals("v1", s.getString("apiVersion"));
        assertEquals("Failure", s.getString("status"));
        assertEquals("Forbidden", s.getString("reason"));
        assertEquals(403, s.getInteger("code"));
        assertEquals(new JsonObject(), s.getJsonObject("metadata"));
        assertTrue(new JsonArray().isEmpty());
    }
}
