package dev.portcullis.console.rest;

import com.fasterxml.jackson.databind.node.MissingNode;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.client.RecordingStreams;
import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.service.TerminalReplay;
import dev.portcullis.console.service.Verification;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * One session's recording, for the session page: the download (passed on as the recorder streams it, with its
 * headers), the terminal replay, and the verification. Each reads the recording with the signed-in user's token, so
 * the recorder checks the {@code auditor} role and writes the read into its download trail.
 */
@Path("/api/sessions/{id}")
public class RecordingResource {

    private static final Logger LOG = Logger.getLogger(RecordingResource.class);
    /** recorder-service's session id rule (recorder-service/README.md "Errors"): anything else names no session. */
    static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final RecordingStreams recordings;
    private final ConsoleUser user;

    RecordingResource(RecordingStreams recordings, ConsoleUser user) {
        this.recordings = recordings;
        this.user = user;
    }

    /**
     * The recording file ({@code format} {@code jsonl}, the signed events, or {@code cast}, the terminal recording),
     * streamed from the recorder to the browser without being held here, with the recorder's {@code
     * Content-Disposition}, length and digests. A refusal is shown as text.
     */
    @GET
    @Path("recording")
    public Response download(@PathParam("id") String id, @QueryParam("format") @DefaultValue("jsonl") String format) {
        if (!SESSION_ID.matcher(id).matches()) {
            return PlainText.of(Response.Status.NOT_FOUND, "No such session.");
        }
        if (!"jsonl".equals(format) && !"cast".equals(format)) {
            return PlainText.of(Response.Status.BAD_REQUEST, "format: must be jsonl or cast");
        }
        RecordingStreams.Stream s;
        try {
            s = recordings.open(user.accessToken(), id, format, false);
        } catch (IOException e) {
            LOG.warnf("downloading session %s failed: %s", id, e.toString());
            return PlainText.of(Response.Status.BAD_GATEWAY, "recorder-service did not answer.");
        }
        if (s.status() != 200) {
            try (s) {
                return PlainText.of(s.status(), refusal(s.status()));
            }
        }
        StreamingOutput body = out -> {
            try (s) {
                s.body().transferTo(out);
            }
        };
        Response.ResponseBuilder r = Response.ok(body);
        s.headers().forEach(r::header);
        if (!s.headers().containsKey("Content-Type")) {
            r.type(MediaType.APPLICATION_OCTET_STREAM_TYPE);
        }
        return r.build();
    }

    /** The terminal recording's output chunks with their times, as text, for the page's player. */
    @GET
    @Path("replay")
    @Produces(MediaType.APPLICATION_JSON)
    public TerminalReplay.Replay replay(@PathParam("id") String id) {
        if (!SESSION_ID.matcher(id).matches()) {
            return TerminalReplay.Replay.refused(404);
        }
        try (RecordingStreams.Stream s = recordings.open(user.accessToken(), id, "cast", false)) {
            if (s.status() != 200) {
                return TerminalReplay.Replay.refused(s.status());
            }
            return TerminalReplay.read(new BufferedReader(new InputStreamReader(s.body(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            LOG.warnf("replaying session %s failed: %s", id, e.toString());
            return TerminalReplay.Replay.refused(502);
        }
    }

    /** The recorder's verdict on the stored recording (signature, chain, seal, and that it is this session's). */
    @POST
    @Path("verify")
    @Produces(MediaType.APPLICATION_JSON)
    public Verification verify(@PathParam("id") String id) {
        if (!SESSION_ID.matcher(id).matches()) {
            return Verification.of(new BrokerClient.Reply(404, MissingNode.getInstance()));
        }
        try {
            return Verification.of(recordings.verify(user.accessToken(), id));
        } catch (IOException e) {
            LOG.warnf("verifying session %s failed: %s", id, e.toString());
            return Verification.of(new BrokerClient.Reply(502, MissingNode.getInstance()));
        }
    }

    static String refusal(int status) {
        return switch (status) {
            case 401 -> "recorder-service answered 401: sign in again.";
            case 403 -> "recorder-service answered 403: recordings are for auditors.";
            case 404 -> "recorder-service answered 404: no such session or recording.";
            case 409 -> "recorder-service answered 409: still being recorded; the file is ready once it is sealed.";
            default -> "recorder-service answered " + status + ".";
        };
    }
}
