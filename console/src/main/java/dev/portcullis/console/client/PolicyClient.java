package dev.portcullis.console.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/** The console's calls to policy-service, each with the signed-in user's access token (aud policy-service). */
@ApplicationScoped
public class PolicyClient {

    private static final Logger LOG = Logger.getLogger(PolicyClient.class);

    private final PolicyApi api;
    private final ObjectMapper json;

    PolicyClient(@RestClient PolicyApi api, ObjectMapper json) {
        this.api = api;
        this.json = json;
    }

    public Uni<BrokerClient.Reply> list(String accessToken) {
        return call(api.list(bearer(accessToken)));
    }

    public Uni<BrokerClient.Reply> get(String accessToken, String id) {
        return call(api.get(id, bearer(accessToken)));
    }

    public Uni<BrokerClient.Reply> history(String accessToken, String id) {
        return call(api.history(id, bearer(accessToken)));
    }

    /** Stores a new version of the document; a document that does not compile comes back 400 with its errors. */
    public Uni<BrokerClient.Reply> put(String accessToken, String id, String document) {
        return call(api.put(id, bearer(accessToken), document));
    }

    private Uni<BrokerClient.Reply> call(Uni<Response> request) {
        return request.map(r -> {
                    try (r) {
                        String text = r.hasEntity() ? r.readEntity(String.class) : "";
                        return new BrokerClient.Reply(r.getStatus(), parse(text));
                    }
                })
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.warnf("policy-service call failed: %s", e.toString());
                    return new BrokerClient.Reply(502, MissingNode.getInstance());
                });
    }

    private JsonNode parse(String text) {
        if (text.isEmpty()) {
            return MissingNode.getInstance();
        }
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }
}
