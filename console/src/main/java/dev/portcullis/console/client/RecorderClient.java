package dev.portcullis.console.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/** The console's calls to recorder-service, each with the signed-in user's access token (aud recorder-service). */
@ApplicationScoped
public class RecorderClient {

    private static final Logger LOG = Logger.getLogger(RecorderClient.class);

    /** A session's recording: the recorder's status and the recording's lines (JSON Lines), empty when refused. */
    public record Lines(int status, List<JsonNode> lines) {}

    private final RecorderApi api;
    private final ObjectMapper json;

    RecorderClient(@RestClient RecorderApi api, ObjectMapper json) {
        this.api = api;
        this.json = json;
    }

    /**
     * The recorder's session search; each filter is left out when blank. {@code denied}/{@code reviewed}: {@code
     * true} or {@code false}, as the recorder takes them.
     */
    public record Search(
            String agent,
            String connection,
            String protocol,
            String status,
            String from,
            String to,
            String denied,
            String reviewed) {}

    public Uni<BrokerClient.Reply> sessions(String accessToken, Search s, int page, int size) {
        return call(api.sessions(
                orNull(s.agent()),
                orNull(s.connection()),
                orNull(s.protocol()),
                orNull(s.status()),
                orNull(s.from()),
                orNull(s.to()),
                orNull(s.denied()),
                orNull(s.reviewed()),
                page,
                size,
                bearer(accessToken)));
    }

    /** The recorder's decision-log search; each filter is left out when blank. */
    public record DecisionSearch(
            String agent, String connection, String session, String action, String from, String to) {}

    public Uni<BrokerClient.Reply> decisions(String accessToken, DecisionSearch s, int page, int size) {
        return call(api.decisions(
                orNull(s.agent()),
                orNull(s.connection()),
                orNull(s.session()),
                orNull(s.action()),
                orNull(s.from()),
                orNull(s.to()),
                page,
                size,
                bearer(accessToken)));
    }

    private static String orNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    public Uni<BrokerClient.Reply> session(String accessToken, String id) {
        return call(api.session(id, bearer(accessToken)));
    }

    /** The recording's lines; a recording still being written (409) or refused comes back as its status. */
    public Uni<Lines> recording(String accessToken, String id) {
        return api.recording(id, bearer(accessToken))
                .map(r -> {
                    try (r) {
                        if (r.getStatus() != 200) {
                            return new Lines(r.getStatus(), List.of());
                        }
                        List<JsonNode> lines = new ArrayList<>();
                        for (String line : r.readEntity(String.class).split("\n")) {
                            if (!line.isBlank()) {
                                lines.add(parse(line));
                            }
                        }
                        return new Lines(200, List.copyOf(lines));
                    }
                })
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.warnf("recorder-service call failed: %s", e.toString());
                    return new Lines(502, List.of());
                });
    }

    private Uni<BrokerClient.Reply> call(Uni<Response> request) {
        return request.map(r -> {
                    try (r) {
                        String text = r.hasEntity() ? r.readEntity(String.class) : "";
                        return new BrokerClient.Reply(
                                r.getStatus(), text.isEmpty() ? MissingNode.getInstance() : parse(text));
                    }
                })
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.warnf("recorder-service call failed: %s", e.toString());
                    return new BrokerClient.Reply(502, MissingNode.getInstance());
                });
    }

    private JsonNode parse(String text) {
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
