package dev.portcullis.policy;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.ConfigProvider;

/** Real access tokens from the dev-stack Keycloak (portcullis realm, dev credentials). */
public final class Tokens {

    private record Cached(String token, long expiresAtMillis) {}

    private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();

    private Tokens() {}

    private static String tokenUrl() {
        return ConfigProvider.getConfig().getValue("quarkus.oidc.auth-server-url", String.class)
                + "/protocol/openid-connect/token";
    }

    /** alice-admin: realm role portcullis-admin. */
    public static String admin() {
        return user("alice-admin", "alice-dev-password");
    }

    /** carol-auditor: realm role auditor. */
    public static String auditor() {
        return user("carol-auditor", "carol-dev-password");
    }

    /** session-proxy's service account: the decision caller. */
    public static String sessionProxy() {
        return client("session-proxy", "session-proxy-dev-secret");
    }

    /** recorder-service's service account: a valid token, but not a decision caller. */
    public static String recorderService() {
        return client("recorder-service", "recorder-service-dev-secret");
    }

    public static String user(String username, String password) {
        return cached(
                "user:" + username,
                () -> given().formParam("grant_type", "password")
                        .formParam("client_id", "portcullis-cli")
                        .formParam("username", username)
                        .formParam("password", password)
                        .post(tokenUrl()));
    }

    public static String client(String clientId, String secret) {
        return cached(
                "client:" + clientId,
                () -> given().auth()
                        .preemptive()
                        .basic(clientId, secret)
                        .formParam("grant_type", "client_credentials")
                        .post(tokenUrl()));
    }

    private static String cached(String key, java.util.function.Supplier<io.restassured.response.Response> fetch) {
        Cached c = CACHE.get(key);
        if (c != null && c.expiresAtMillis() > System.currentTimeMillis() + 30_000) {
            return c.token();
        }
        io.restassured.response.Response r = fetch.get();
        if (r.statusCode() != 200) {
            throw new IllegalStateException("token request for " + key + " failed: HTTP " + r.statusCode());
        }
        String token = r.jsonPath().getString("access_token");
        long expiresIn = r.jsonPath().getLong("expires_in");
        CACHE.put(key, new Cached(token, System.currentTimeMillis() + expiresIn * 1000));
        return token;
    }
}
