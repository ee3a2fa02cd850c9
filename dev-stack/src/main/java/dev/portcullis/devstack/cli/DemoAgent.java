package dev.portcullis.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.devstack.DevStackException;
import dev.portcullis.devstack.KeycloakServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The demo agent of `up`: {@code demo-agent}, registered through identity-broker like every real
 * agent ({@code POST /v1/agents} as the dev admin, then a standing {@code read} grant on
 * {@code pg-demo}), so the printed demo mints its session token with {@code POST /v1/tokens}.
 *
 * <p>Idempotent: `up` keeps its state, so an agent the broker already manages is reused. Its secret
 * is kept in a file readable only by the owner ({@code .portcullis/secrets/demo-agent.secret}) for
 * `bin/portcullis env`; when that file is missing or Keycloak no longer accepts it, the secret is
 * rotated through the broker. A dev-only {@code demo-agent} client left in Keycloak by the realm
 * export of earlier versions (which the broker refuses as "not managed by this broker") is removed
 * first, when the Keycloak master admin's password is known.
 */
public final class DemoAgent {

    public static final String NAME = "demo-agent";
    public static final String CONNECTION = DemoTarget.CONNECTION;
    public static final String ACCESS = "read";

    /** The dev admin of the realm export (keycloak-realm/README.md); DEV ONLY. */
    static final String ADMIN_USER = "alice-admin";

    static final String ADMIN_PASSWORD = "alice-dev-password";
    private static final String CLI_CLIENT = "portcullis-cli";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What {@link #ensure} did, for the launcher's progress line. */
    public record Result(String secret, String outcome) {
        @Override
        public String toString() {
            return "Result[" + outcome + "]"; // never the secret
        }
    }

    private final String keycloakUrl;
    private final String brokerUrl;
    private final Path secretFile;
    private final String keycloakMasterPassword;

    /**
     * @param keycloakMasterPassword the Keycloak master admin's password, to remove a stale dev-only
     *     client; {@code null} when not known (the check then fails with advice instead)
     */
    public DemoAgent(String keycloakUrl, String brokerUrl, Path secretFile, String keycloakMasterPassword) {
        this.keycloakUrl = keycloakUrl.replaceAll("/$", "");
        this.brokerUrl = brokerUrl.replaceAll("/$", "");
        this.secretFile = secretFile;
        this.keycloakMasterPassword = keycloakMasterPassword;
    }

    /** The file `up` keeps demo-agent's secret in. */
    static Path secretFile(StackLayout layout) {
        return layout.secrets().resolve(NAME + ".secret");
    }

    /** The secret `up` stored, or {@code null} before the first `up`. */
    static String storedSecret(StackLayout layout) {
        try {
            Path f = secretFile(layout);
            return Files.exists(f) ? Files.readString(f).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Registers demo-agent unless the broker manages it already, gives it a standing read grant on
     * pg-demo unless it has one, and checks that the broker mints a session token for it.
     */
    public Result ensure(Duration timeout) throws IOException {
        String admin = userToken(ADMIN_USER, ADMIN_PASSWORD);
        String outcome;
        String secret = null;
        JsonNode agent = send(brokerGet("/v1/agents/" + NAME, admin), 200, 404);
        if (agent == null) {
            secret = register(admin);
            outcome = "registered through identity-broker";
        } else {
            if (!agent.path("enabled").asBoolean(true)) {
                throw new DevStackException(NAME + " is disabled (an admin disabled it); enable it with PATCH "
                        + brokerUrl + "/v1/agents/" + NAME + " {\"enabled\":true} as " + ADMIN_USER
                        + ", or delete .portcullis/ to start afresh");
            }
            outcome = "managed by identity-broker, reused";
            if (Files.exists(secretFile)) {
                String stored = Files.readString(secretFile).trim();
                if (clientCredentials(stored).statusCode() == 200) {
                    secret = stored;
                }
            }
            if (secret == null) {
                JsonNode rotated = send(
                        brokerPost("/v1/agents/" + NAME + "/secret", admin, HttpRequest.BodyPublishers.noBody()), 200);
                secret = rotated.path("clientSecret").asText();
                outcome += " (secret rotated: the stored one was missing or refused)";
            }
        }
        StackLayout.writePrivate(secretFile, secret);
        if (!hasReadGrant(admin)) {
            send(
                    brokerPost(
                            "/v1/agents/" + NAME + "/grants",
                            admin,
                            json(Map.of("connection", CONNECTION, "access", ACCESS))),
                    201);
            outcome += "; standing " + ACCESS + " grant on " + CONNECTION + " given";
        }
        awaitMint(secret, timeout);
        return new Result(secret, outcome);
    }

    private String register(String admin) throws IOException {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("name", NAME);
        body.put("team", "demo");
        body.put("description", "DEV ONLY: the demo agent of bin/portcullis up");
        HttpResponse<String> r = exchange(brokerPost("/v1/agents", admin, json(body)));
        if (r.statusCode() == 409 && removeStaleClient()) {
            r = exchange(brokerPost("/v1/agents", admin, json(body)));
        }
        if (r.statusCode() != 201) {
            throw new DevStackException("registering " + NAME + " with identity-broker: HTTP " + r.statusCode() + " "
                    + r.body()
                    + (r.statusCode() == 409
                            ? " (a Keycloak client " + NAME + " exists that the broker does not manage, e.g. from"
                                    + " an older realm export; delete .portcullis/ to start afresh)"
                            : ""));
        }
        return JSON.readTree(r.body()).path("clientSecret").asText();
    }

    /** Removes a demo-agent client that the realm export of earlier versions created (dev-only attribute set). */
    private boolean removeStaleClient() throws IOException {
        if (keycloakMasterPassword == null) {
            return false;
        }
        String master = token(
                keycloakUrl + "/realms/master/protocol/openid-connect/token",
                Map.of(
                        "grant_type", "password",
                        "client_id", "admin-cli",
                        "username", "admin",
                        "password", keycloakMasterPassword));
        String clients = keycloakUrl + "/admin/realms/" + KeycloakServer.REALM + "/clients";
        JsonNode found = send(
                HttpRequest.newBuilder(URI.create(clients + "?clientId=" + NAME))
                        .header("Authorization", "Bearer " + master)
                        .GET(),
                200);
        for (JsonNode c : found) {
            if (NAME.equals(c.path("clientId").asText())
                    && "true"
                            .equals(c.path("attributes")
                                    .path("portcullis.dev-only")
                                    .asText())) {
                send(
                        HttpRequest.newBuilder(
                                        URI.create(clients + "/" + c.path("id").asText()))
                                .header("Authorization", "Bearer " + master)
                                .DELETE(),
                        204);
                return true;
            }
        }
        return false;
    }

    private boolean hasReadGrant(String admin) throws IOException {
        JsonNode grants = send(brokerGet("/v1/agents/" + NAME + "/grants?active=true", admin), 200);
        for (JsonNode g : grants) {
            if (CONNECTION.equals(g.path("connection").asText())
                    && ACCESS.equals(g.path("access").asText())
                    && "active".equals(g.path("status").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The printed demo's first two steps: an agent token from Keycloak, then a session token from the broker. */
    private void awaitMint(String secret, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            HttpResponse<String> agent = clientCredentials(secret);
            if (agent.statusCode() == 200) {
                String agentToken =
                        JSON.readTree(agent.body()).path("access_token").asText();
                HttpResponse<String> minted = exchange(
                        brokerPost("/v1/tokens", agentToken, json(Map.of("connection", CONNECTION, "access", ACCESS))));
                if (minted.statusCode() == 200) {
                    return;
                }
                last = "POST /v1/tokens answered HTTP " + minted.statusCode() + " " + minted.body();
            } else {
                last = "Keycloak refused " + NAME + "'s secret: HTTP " + agent.statusCode();
            }
            if (System.nanoTime() > deadline) {
                throw new DevStackException("identity-broker does not mint a session token for " + NAME + ": " + last);
            }
            pause();
        }
    }

    private HttpResponse<String> clientCredentials(String secret) throws IOException {
        return exchange(form(
                tokenEndpoint(),
                Map.of("grant_type", "client_credentials", "client_id", NAME, "client_secret", secret)));
    }

    private String userToken(String user, String password) throws IOException {
        return token(
                tokenEndpoint(),
                Map.of("grant_type", "password", "client_id", CLI_CLIENT, "username", user, "password", password));
    }

    private String token(String endpoint, Map<String, String> form) throws IOException {
        return send(form(endpoint, form), 200).path("access_token").asText();
    }

    private String tokenEndpoint() {
        return keycloakUrl + "/realms/" + KeycloakServer.REALM + "/protocol/openid-connect/token";
    }

    private HttpRequest.Builder brokerGet(String path, String token) {
        return HttpRequest.newBuilder(URI.create(brokerUrl + path))
                .header("Authorization", "Bearer " + token)
                .GET();
    }

    private HttpRequest.Builder brokerPost(String path, String token, HttpRequest.BodyPublisher body) {
        return HttpRequest.newBuilder(URI.create(brokerUrl + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(body);
    }

    private static HttpRequest.BodyPublisher json(Map<String, String> body) throws IOException {
        return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
    }

    private static HttpRequest.Builder form(String url, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** The body as JSON when the status is one of {@code expected}; {@code null} for an expected 404. */
    private static JsonNode send(HttpRequest.Builder request, int... expected) throws IOException {
        HttpResponse<String> r = exchange(request);
        for (int status : expected) {
            if (r.statusCode() == status) {
                return status == 404 ? null : r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
            }
        }
        HttpRequest sent = request.build();
        // the body of an error names the problem; these responses carry no token or secret
        throw new DevStackException(
                sent.method() + " " + sent.uri().getPath() + " answered HTTP " + r.statusCode() + ": " + r.body());
    }

    private static HttpResponse<String> exchange(HttpRequest.Builder request) throws IOException {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DevStackException("interrupted while waiting for " + NAME + "'s first token");
        }
    }
}
