package dev.portcullis.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.enforcement.Masker;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Kubernetes gateway over path and query encodings and response representations: each request is refused, or
 * read as the resource kube-apiserver would read it (Go decodes every {@code %XX} of the path) and forwarded in
 * the canonical encoding of that reading; each representation is asked for as JSON, refused, or masked.
 */
class KubernetesEncodingTableTest {

    private static final String REFUSED = "REFUSED";

    /**
     * {@code METHOD target => verb|group|version|namespace|resource|subresource|name => forwarded target}, or {@code
     * => REFUSED}. The forwarded target is what the API server is sent; the reading is what policy decides on.
     */
    private static final String REQUESTS = """
            GET /api/v1/namespaces/default/%73ecrets/db => get||v1|default|secrets||db => /api/v1/namespaces/default/secrets/db
            GET /api/v1/namespaces/default/%73%65%63%72%65%74%73/db => get||v1|default|secrets||db => /api/v1/namespaces/default/secrets/db
            GET /api/v1/namespaces/default/%53ecrets/db => get||v1|default|Secrets||db => /api/v1/namespaces/default/Secrets/db
            GET /api/v1/%6eamespaces/default/secrets => list||v1|default|secrets|| => /api/v1/namespaces/default/secrets
            DELETE /api/v1/%6eamespaces/prod => delete||v1|prod|namespaces||prod => /api/v1/namespaces/prod
            DELETE /api/v1/namespaces/%70rod => delete||v1|prod|namespaces||prod => /api/v1/namespaces/prod
            DELETE /api/v1/namespaces/prod/ => delete||v1|prod|namespaces||prod => /api/v1/namespaces/prod/
            DELETE /%61pi/v1/namespaces/prod => delete||v1|prod|namespaces||prod => /api/v1/namespaces/prod
            DELETE /api/%76%31/namespaces/prod => delete||v1|prod|namespaces||prod => /api/v1/namespaces/prod
            GET /apis/%61pps/v1/namespaces/x/deployments => list|apps|v1|x|deployments|| => /apis/apps/v1/namespaces/x/deployments
            GET /api/v1/namespaces/x/pods/p/%65xec?command=id => get||v1|x|pods|exec|p => /api/v1/namespaces/x/pods/p/exec?command=id
            PATCH /api/v1/namespaces/x/pods/p/%65phemeralcontainers => patch||v1|x|pods|ephemeralcontainers|p => /api/v1/namespaces/x/pods/p/ephemeralcontainers
            POST /api/v1/namespaces/x/serviceaccounts/default/%74oken => create||v1|x|serviceaccounts|token|default => /api/v1/namespaces/x/serviceaccounts/default/token
            GET /api/v1/watch/namespaces/x/%73ecrets => watch||v1|x|secrets|| => /api/v1/watch/namespaces/x/secrets
            GET /api/v1/%77atch/namespaces/x/secrets => watch||v1|x|secrets|| => /api/v1/watch/namespaces/x/secrets
            GET /api/v1/namespaces/x/secrets?watch=1 => watch||v1|x|secrets|| => /api/v1/namespaces/x/secrets?watch=1
            GET /api/v1/namespaces/x/secrets?watch=yes => watch||v1|x|secrets|| => /api/v1/namespaces/x/secrets?watch=yes
            GET /api/v1/namespaces/x/secrets?watch= => watch||v1|x|secrets|| => /api/v1/namespaces/x/secrets?watch=
            GET /api/v1/namespaces/x/secrets?watch => watch||v1|x|secrets|| => /api/v1/namespaces/x/secrets?watch=
            GET /api/v1/namespaces/x/secrets?watch=FALSE => list||v1|x|secrets|| => /api/v1/namespaces/x/secrets?watch=FALSE
            GET /api/v1/namespaces/x/secrets?watch=0 => list||v1|x|secrets|| => /api/v1/namespaces/x/secrets?watch=0
            GET /api/v1/namespaces/x/secrets?%77atch=true => watch||v1|x|secrets|| => /api/v1/namespaces/x/secrets?watch=true
            GET /api/v1/namespaces/x/secrets?Watch=true => list||v1|x|secrets|| => /api/v1/namespaces/x/secrets?Watch=true
            GET /api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3Ddb => list||v1|x|secrets||db => /api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3Ddb
            GET /api/v1/namespaces/x/secrets?fieldSelector=metadata.name==db => list||v1|x|secrets||db => /api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3D%3Ddb
            GET /api/v1/namespaces/x/secrets?fieldSelector=type%3DOpaque,metadata.name%3Ddb => list||v1|x|secrets||db => /api/v1/namespaces/x/secrets?fieldSelector=type%3DOpaque%2Cmetadata.name%3Ddb
            GET /api/v1/namespaces/x/secrets?fieldSelector=metadata.name!%3Ddb => list||v1|x|secrets|| => /api/v1/namespaces/x/secrets?fieldSelector=metadata.name%21%3Ddb
            GET /api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3D.. => list||v1|x|secrets|| => /api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3D..
            GET /api/v1/namespaces/x/pods/p/exec?command=sh&command=-c&command=rm+-rf+/ => get||v1|x|pods|exec|p => /api/v1/namespaces/x/pods/p/exec?command=sh&command=-c&command=rm+-rf+%2F
            GET /api/v1/namespaces/x/configmaps/a+b => get||v1|x|configmaps||a+b => /api/v1/namespaces/x/configmaps/a+b
            GET /api/v1/namespaces/x/configmaps/a%20b => get||v1|x|configmaps||a b => /api/v1/namespaces/x/configmaps/a%20b
            GET /api/v1/namespaces/x/configmaps/a%3Fb => get||v1|x|configmaps||a?b => /api/v1/namespaces/x/configmaps/a%3Fb
            GET /api/v1/namespaces/x/configmaps/%C3%A9 => get||v1|x|configmaps||\u00e9 => /api/v1/namespaces/x/configmaps/%C3%A9
            GET /api/v1/namespaces/x/configmaps/a%2eb => get||v1|x|configmaps||a.b => /api/v1/namespaces/x/configmaps/a.b
            GET /api/v1/namespaces/x/configmaps/c?limit=500&pretty => get||v1|x|configmaps||c => /api/v1/namespaces/x/configmaps/c?limit=500&pretty=
            GET /api/v1/namespaces/x/configmaps?limit=500&&continue=abc%3D%3D => list||v1|x|configmaps|| => /api/v1/namespaces/x/configmaps?limit=500&continue=abc%3D%3D
            HEAD /api/v1/namespaces/x/secrets/db => get||v1|x|secrets||db => /api/v1/namespaces/x/secrets/db
            PUT /api/v1/namespaces/prod/finalize => update||v1|prod|namespaces|finalize|prod => /api/v1/namespaces/prod/finalize
            PUT /api/v1/namespaces/prod/%66inalize => update||v1|prod|namespaces|finalize|prod => /api/v1/namespaces/prod/finalize
            GET /api/v1/namespaces/x/services/s:80/proxy/a%3Fb => get||v1|x|services|proxy|s:80 => /api/v1/namespaces/x/services/s:80/proxy/a%3Fb
            GET /%61pi => get|||||| => /api
            GET /version => get|||||| => /version
            GET /api/v1/namespaces/x/secrets/db%2F..%2Fother => REFUSED
            GET /api/v1/namespaces/x/secrets%2fdb => REFUSED
            GET /api/v1/namespaces/x/pods/p/..%2F..%2Fsecrets/db => REFUSED
            GET /api/v1/namespaces/x/pods/%2e%2e/secrets => REFUSED
            GET /api/v1/namespaces/x/pods/%2E/secrets => REFUSED
            GET /api/v1/namespaces/x/pods/./secrets => REFUSED
            GET /api/v1/namespaces/x/pods/../secrets => REFUSED
            GET /api/v1/namespaces/x/../../../secrets => REFUSED
            GET /api//v1/secrets => REFUSED
            GET //api/v1/secrets => REFUSED
            GET /api/v1/secrets// => REFUSED
            GET /api/v1/namespaces/x/secrets/db%5c => REFUSED
            GET /api/v1/namespaces/x/secrets/db\\x => REFUSED
            GET /api/v1/namespaces/x/secrets/db%00 => REFUSED
            GET /api/v1/namespaces/x/secrets/db%0a => REFUSED
            GET /api/v1/namespaces/x/secrets/db%7f => REFUSED
            GET /api/v1/namespaces/x/secrets/db% => REFUSED
            GET /api/v1/namespaces/x/secrets/db%4 => REFUSED
            GET /api/v1/namespaces/x/secrets/db%zz => REFUSED
            GET /api/v1/namespaces/x/secrets/db%C3 => REFUSED
            GET /api/v1/namespaces/x/secrets/db%FF%FE => REFUSED
            GET /api/v1/namespaces/x/secrets?watch=1;watch=0 => REFUSED
            GET /api/v1/namespaces/x/secrets?watch=0&watch=1 => REFUSED
            GET /api/v1/namespaces/x/secrets?watch=0&WATCH=1 => REFUSED
            GET /api/v1/namespaces/x/secrets?fieldSelector=a%3Db&fieldSelector=metadata.name%3Ddb => REFUSED
            GET /api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3Da,metadata.name%3Db => REFUSED
            GET /api/v1/namespaces/x/secrets?fieldSelector=metadata.name%3Da%5C,b => REFUSED
            GET /api/v1/namespaces/x/secrets?fieldSelector=+metadata.name%3Ddb => REFUSED
            GET /api/v1/namespaces/x/secrets?fieldSelector=metadata.name+%3Ddb => REFUSED
            GET /api/v1/namespaces/x/secrets?watch=%zz => REFUSED
            GET /api/v1/namespaces/x/secrets?wa%0atch=1 => REFUSED
            GET /api/v1/namespaces/x/secrets?limit=abc => REFUSED
            GET /api/v1/namespaces/x/pods/p/exec?container=a&container=b&command=id => REFUSED
            OPTIONS /api/v1/namespaces/x/secrets => REFUSED
            TRACE /api/v1/namespaces/x/secrets => REFUSED
            get /api/v1/namespaces/x/secrets => REFUSED
            POST /api/v1/watch/namespaces/x/secrets => REFUSED
            DELETE /api/v1/watch/namespaces/prod => REFUSED
            GET /api/v1/watch => REFUSED
            GET api/v1/pods => REFUSED
            """;

    static Stream<Arguments> requests() {
        return REQUESTS.lines().filter(l -> !l.isBlank()).map(l -> {
            String[] cols = l.split(" => ");
            String[] req = cols[0].split(" ", 2);
            return Arguments.of(req[0], req[1], cols[1], cols.length > 2 ? cols[2] : null);
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("requests")
    void eachRequestIsReadAsTheApiServerReadsItOrRefused(String method, String target, String reading, String sent)
            throws Exception {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        if (reading.equals(REFUSED)) {
            KubernetesRequest.BadPathException e = assertThrows(
                    KubernetesRequest.BadPathException.class, () -> KubernetesRequest.parse(method, path, query));
            assertTrue(e.code() == 400 || e.code() == 405, e::getMessage);
            // the message goes into a Status and must say what was wrong without echoing a whole request
            assertFalse(e.getMessage().isBlank());
            assertTrue(e.getMessage().length() < 200, e::getMessage);
            return;
        }
        KubernetesRequest r = KubernetesRequest.parse(method, path, query);
        assertEquals(
                reading,
                String.join(
                        "|",
                        r.verb(),
                        r.apiGroup(),
                        r.apiVersion(),
                        r.namespace(),
                        r.resource(),
                        r.subresource(),
                        r.name()));
        String forwarded = r.uri().encodedPath() + (r.query().isEmpty() ? "" : "?" + r.query());
        assertEquals(sent, forwarded);
        // the forwarded form reads back to the same request: it is canonical, decoding it changes nothing
        KubernetesRequest again = KubernetesRequest.parse(method, r.uri().encodedPath(), r.query());
        assertEquals(r.policyRequest(false), again.policyRequest(false));
        assertEquals(forwarded, again.uri().encodedPath() + (again.query().isEmpty() ? "" : "?" + again.query()));
        // policy is told the decoded path, the one kube-apiserver routes on
        assertEquals(r.path(), r.policyRequest(false).getString("path"));
    }

    /** {@code target | Accept from the agent | Accept sent to the API server}. */
    private static final String ACCEPTS = """
            /api/v1/namespaces/x/secrets/db | application/yaml | application/json
            /api/v1/namespaces/x/secrets/db | application/vnd.kubernetes.protobuf | application/json
            /api/v1/namespaces/x/secrets/db | application/vnd.kubernetes.protobuf, application/json | application/json
            /api/v1/namespaces/x/secrets/db | application/cbor | application/json
            /api/v1/namespaces/x/secrets/db | application/YAML;q=1, */*;q=0.1 | */*;q=0.1
            /api/v1/namespaces/x/secrets/db | text/html | application/json
            /api/v1/namespaces/x/secrets/db | application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io | application/json
            /api/v1/namespaces/x/secrets | application/json;as=Table;v=v1;g=meta.k8s.io,application/json | application/json;as=Table;v=v1;g=meta.k8s.io, application/json
            /api/v1/namespaces/x/secrets | application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io | application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io
            /api/v1/namespaces/x/secrets | application/yaml;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io | application/json
            /api/v1/namespaces/x/pods/p/log | text/plain | text/plain
            /api/v1/namespaces/x/configmaps |  | application/json
            /api/v1/namespaces/x/services/s/proxy/ | text/html | text/html
            /api/v1/namespaces/x/services/s/proxy/ | application/vnd.kubernetes.protobuf | application/json
            /openapi/v3/api/v1 | application/json, application/vnd.kubernetes.protobuf | application/json
            /apis | application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json | application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, application/json
            """;

    static Stream<Arguments> accepts() {
        return ACCEPTS.lines().filter(l -> !l.isBlank()).map(l -> {
            String[] c = l.split("\\|", -1);
            return Arguments.of(c[0].strip(), c[1].strip(), c[2].strip());
        });
    }

    @ParameterizedTest(name = "{0} Accept: {1}")
    @MethodSource("accepts")
    void theApiServerIsAskedForJsonWhereverObjectsComeBack(String path, String accept, String sent) throws Exception {
        assertEquals(sent, KubeRepresentations.accept(KubernetesRequest.parse("GET", path, null), accept));
    }

    /** {@code target | response Content-Type | status | refused or passed}. */
    private static final String RESPONSES = """
            /api/v1/namespaces/x/secrets/db | application/yaml | 200 | refused
            /api/v1/namespaces/x/secrets/db | application/vnd.kubernetes.protobuf | 200 | refused
            /api/v1/namespaces/x/secrets/db | application/cbor | 200 | refused
            /api/v1/namespaces/x/secrets/db | text/plain | 200 | refused
            /api/v1/namespaces/x/secrets/db | application/yaml | 404 | refused
            /api/v1/namespaces/x/secrets/db | application/octet-stream | 200 | refused
            /api/v1/namespaces/x/secrets/db |  | 200 | refused
            /api/v1/namespaces/x/secrets/db | application/json | 200 | passed
            /api/v1/namespaces/x/secrets/db | application/json; charset=utf-8 | 200 | passed
            /api/v1/namespaces/x/secrets | application/json;stream=watch | 200 | passed
            /api/v1/namespaces/x/configmaps | application/yaml | 200 | refused
            /api/v1/namespaces/x/configmaps | application/vnd.kubernetes.protobuf;stream=watch | 200 | refused
            /api/v1/namespaces/x/configmaps | text/html | 200 | refused
            /api/v1/namespaces/x/configmaps | application/json | 200 | passed
            /api/v1/namespaces/x/pods/p/log | text/plain | 200 | passed
            /api/v1/namespaces/x/services/s/proxy/ | text/html | 200 | passed
            /api/v1/namespaces/x/services/s/proxy/ | application/octet-stream | 200 | passed
            /openapi/v2 | application/com.github.proto-openapi.spec.v2@v1.0+protobuf | 200 | passed
            """;

    static Stream<Arguments> responses() {
        return RESPONSES.lines().filter(l -> !l.isBlank()).map(l -> {
            String[] c = l.split("\\|", -1);
            return Arguments.of(c[0].strip(), c[1].strip(), Integer.parseInt(c[2].strip()), c[3].strip());
        });
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("responses")
    void everyRepresentationTheProxyCannotMaskIsRefused(String path, String type, int status, String outcome)
            throws Exception {
        String refusal = KubeRepresentations.refusal(
                KubernetesRequest.parse("GET", path, null), type.isEmpty() ? null : type, status, null);
        if (outcome.equals("refused")) {
            assertNotNull(refusal, "passed unmasked");
        } else {
            assertNull(refusal);
        }
    }

    private static final Masker MASKER = new Masker(new byte[32]);
    private static final String VALUE = "cGctcGFzc3dvcmQtc2VjcmV0"; // what must never come back
    private static final String LAST_APPLIED_SECRET = "{\\\"apiVersion\\\":\\\"v1\\\",\\\"kind\\\":\\\"Secret\\\","
            + "\\\"metadata\\\":{\\\"name\\\":\\\"db\\\"},\\\"data\\\":{\\\"password\\\":\\\"" + VALUE + "\\\"}}";
    private static final String ANNOTATIONS =
            "\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"" + LAST_APPLIED_SECRET + "\"}";

    /** {@code name | secrets request? | body}: JSON shapes the API can return for Secrets, each must come back masked. */
    static Stream<Arguments> secretBodies() {
        String secret = "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"db\"," + ANNOTATIONS
                + "},\"data\":{\"password\":\"" + VALUE + "\"},\"type\":\"Opaque\"}";
        String pom =
                "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{\"name\":\"db\","
                        + ANNOTATIONS + "}}";
        String pomList = "{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{},"
                + "\"items\":[" + pom + "]}";
        String table =
                "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"columnDefinitions\":[{\"name\":\"Name\","
                        + "\"type\":\"string\"}],\"rows\":[{\"cells\":[\"db\",\"Opaque\",1,\"5m\"],\"object\":" + secret
                        + "}]}";
        String tableMetadata = "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"rows\":[{\"cells\":[\"db\"],"
                + "\"object\":" + pom + "}]}";
        String list = "{\"kind\":\"SecretList\",\"apiVersion\":\"v1\",\"items\":["
                + secret.replace("\"kind\":\"Secret\",", "") + "]}";
        String mixed = "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":[" + secret + "]}";
        String watch =
                "{\"type\":\"ADDED\",\"object\":" + secret + "}\n{\"type\":\"MODIFIED\",\"object\":" + pom + "}\n";
        return Stream.of(
                Arguments.of("Secret", true, secret),
                Arguments.of("Secret from a request not for secrets", false, secret),
                Arguments.of("PartialObjectMetadata", true, pom),
                Arguments.of("PartialObjectMetadata outside a secrets request", false, pom),
                Arguments.of("PartialObjectMetadataList", true, pomList),
                Arguments.of("PartialObjectMetadataList outside a secrets request", false, pomList),
                Arguments.of("Table with includeObject=Object", true, table),
                Arguments.of("Table with includeObject=Object outside a secrets request", false, table),
                Arguments.of("Table with includeObject=Metadata", false, tableMetadata),
                Arguments.of("SecretList without item kinds", false, list),
                Arguments.of("List of mixed kinds", false, mixed),
                Arguments.of("watch events", true, watch));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secretBodies")
    void secretsAreMaskedInEveryJsonRepresentation(String name, boolean secretsRequest, String body) throws Exception {
        for (int chunk : new int[] {1, 13, 1 << 20}) {
            JsonMaskingTransformer t =
                    new JsonMaskingTransformer(MASKER, List.of(), secretsRequest, body.endsWith("\n"));
            byte[] in = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < in.length; i += chunk) {
                out.append(t.feed(Buffer.buffer(java.util.Arrays.copyOfRange(in, i, Math.min(in.length, i + chunk)))));
            }
            out.append(t.end());
            String masked = out.toString();
            assertFalse(masked.contains(VALUE), () -> name + ": " + masked);
            assertFalse(masked.contains(new String(Base64.getDecoder().decode(VALUE), StandardCharsets.UTF_8)), masked);
            assertTrue(
                    masked.contains("[REDACTED]") || masked.contains(JsonMaskingTransformer.REDACTED_BASE64), masked);
            for (String line : masked.strip().split("\n")) {
                new JsonObject(line); // still JSON a client reads
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lastAppliedOfOtherKinds")
    void lastAppliedOfOtherKindsStaysForKubectlApply(String kind, boolean masked) {
        String value = "{\"apiVersion\":\"v1\",\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"a\"}}";
        assertEquals(masked, JsonMaskingTransformer.mayHoldASecret(value));
    }

    static Stream<Arguments> lastAppliedOfOtherKinds() {
        return Stream.of(
                Arguments.of("ConfigMap", false),
                Arguments.of("Deployment", false),
                Arguments.of("Secret", true),
                Arguments.of("SecretList", true),
                Arguments.of("List", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadableLastApplied")
    void aLastAppliedThatCannotBeReadIsMasked(String value) {
        assertTrue(JsonMaskingTransformer.mayHoldASecret(value));
    }

    static Stream<String> unreadableLastApplied() {
        return Stream.of("not json", "{\"data\":{\"p\":\"x\"}}", "[1]", "{\"kind\":7}", "{\"kind\":", "");
    }
}
