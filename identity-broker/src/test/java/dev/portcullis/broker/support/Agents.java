package dev.portcullis.broker.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Creates agents through the broker's API, as an admin would. */
public final class Agents {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private Agents() {}

    /** An agent created through the API, with the secret the broker returned once. */
    public record Created(String name, String secret) {}

    public static String uniqueName(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + "-" + SEQ.incrementAndGet();
    }

    public static Created create(String prefix, String owner) {
        String name = uniqueName(prefix);
        String secret = given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .contentType(ContentType.JSON)
                .body(Map.of("name", name, "team", "platform", "owner", owner, "description", "test agent"))
                .post("/v1/agents")
                .then()
                .statusCode(201)
                .extract()
                .path("clientSecret");
        return new Created(name, secret);
    }

    public static String grant(String agent, String connection, String access) {
        return given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .contentType(ContentType.JSON)
                .body(Map.of("connection", connection, "access", access))
                .post("/v1/agents/" + agent + "/grants")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }
}
