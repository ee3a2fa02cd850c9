package dev.portcullis.console.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * recorder-service's API as the console's {@link RecorderClient} calls it, without the network: each session search
 * is kept with its parameters as the REST client would send them (null: left out of the URL), and answered with
 * {@code answer}.
 */
public final class FakeRecorderApi implements RecorderApi {

    /** Every {@code GET /v1/sessions}, its query parameters and Authorization header by name, in call order. */
    public final List<Map<String, Object>> sessionSearches = new ArrayList<>();

    private final String answer;

    public FakeRecorderApi(String answer) {
        this.answer = answer;
    }

    /** The console's client over this fake. */
    public RecorderClient client() {
        return new RecorderClient(this, new ObjectMapper());
    }

    @Override
    public Uni<Response> sessions(
            String agent,
            String connection,
            String protocol,
            String status,
            String from,
            String to,
            String denied,
            String reviewed,
            int page,
            int size,
            String authorization) {
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("agent", agent);
        call.put("connection", connection);
        call.put("protocol", protocol);
        call.put("status", status);
        call.put("from", from);
        call.put("to", to);
        call.put("denied", denied);
        call.put("reviewed", reviewed);
        call.put("page", page);
        call.put("size", size);
        call.put("Authorization", authorization);
        sessionSearches.add(call);
        return Uni.createFrom()
                .item(Response.ok(answer, MediaType.APPLICATION_JSON_TYPE).build());
    }

    @Override
    public Uni<Response> decisions(
            String agent,
            String connection,
            String session,
            String action,
            String from,
            String to,
            int page,
            int size,
            String authorization) {
        throw new UnsupportedOperationException("not this test's call");
    }

    @Override
    public Uni<Response> session(String id, String authorization) {
        throw new UnsupportedOperationException("not this test's call");
    }

    @Override
    public Uni<Response> recording(String id, String authorization) {
        throw new UnsupportedOperationException("not this test's call");
    }
}
