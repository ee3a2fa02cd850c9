package dev.portcullis.policy.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.devstack.quarkus.DevStackTestResource;
import dev.portcullis.policy.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Reloading a policy while decisions run: every decision sees one whole version, never a mix. */
@QuarkusTest
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class HotReloadTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/data/portcullis/decision")
    URI decisionUri;

    static String version(String v) {
        // three rules per version: a half-applied set would show rules of both versions, or fewer than three
        StringBuilder sb = new StringBuilder("rules:\n");
        for (int i = 1; i <= 3; i++) {
            sb.append("  - { id: reload-")
                    .append(v)
                    .append(i)
                    .append(", condition: \"agent == 'reload-probe'\", effect: review, message: version ")
                    .append(v)
                    .append(" }\n");
        }
        return sb.toString();
    }

    @Test
    void decisionsDuringReloadsSeeOneWholeVersion() throws Exception {
        String admin = Tokens.admin();
        String proxy = Tokens.sessionProxy();
        given().auth()
                .oauth2(admin)
                .body(version("a"))
                .put("/v1/policies/reload-probe")
                .then()
                .statusCode(200);
        String body =
                "{\"input\": {\"identity\": {\"agent\": \"reload-probe\"}, \"request\": {\"protocol\": \"ssh\", \"kind\": \"exec\", \"command\": \"id\"}}}";
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(decisionUri)
                .header("Authorization", "Bearer " + proxy)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();

        AtomicBoolean stop = new AtomicBoolean();
        Set<List<String>> seen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<Integer>> workers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            workers.add(pool.submit(() -> {
                int n = 0;
                while (!stop.get() && n < 5_000) {
                    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), r.body());
                    JsonNode rules = JSON.readTree(r.body()).path("result").path("rules");
                    List<String> ids = new ArrayList<>();
                    rules.forEach(x -> ids.add(x.asText()));
                    seen.add(ids);
                    n++;
                }
                return n;
            }));
        }
        try {
            for (int i = 0; i < 20; i++) {
                given().auth()
                        .oauth2(admin)
                        .body(version(i % 2 == 0 ? "b" : "a"))
                        .put("/v1/policies/reload-probe")
                        .then()
                        .statusCode(200);
            }
        } finally {
            stop.set(true);
        }
        int total = 0;
        for (Future<Integer> f : workers) {
            total += f.get();
        }
        pool.shutdown();
        int decisions = total;
        assertTrue(decisions > 0);
        Set<List<String>> whole =
                Set.of(List.of("reload-a1", "reload-a2", "reload-a3"), List.of("reload-b1", "reload-b2", "reload-b3"));
        assertTrue(whole.containsAll(seen), () -> "half-applied sets seen: " + seen);
        assertEquals(
                2, seen.size(), () -> "both versions should have been seen in " + decisions + " decisions: " + seen);
        // the last PUT (i = 19, version a) is the one active
        given().auth()
                .oauth2(proxy)
                .body(body)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(200)
                .body("result.rules[0]", org.hamcrest.Matchers.is("reload-a1"));
        given().auth().oauth2(admin).delete("/v1/policies/reload-probe").then().statusCode(200);
    }
}
