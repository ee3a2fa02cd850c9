package dev.portcullis.console.rest;

import dev.portcullis.console.api.DecisionForm;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.service.ReviewFeed;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.regex.Pattern;

/**
 * The Reviews page's endpoints: the pending reviews as JSON and as a live event stream, and the approver's decision,
 * each forwarded to identity-broker with the signed-in user's token (the broker decides who may).
 */
@Path("/api/reviews")
public class ReviewResource {

    /** identity-broker's review id rule (identity-broker/README.md "Errors"): anything else names no review. */
    private static final Pattern REVIEW_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");
    /** The event's name in the stream (reviews.js listens for it). */
    static final String EVENT = "reviews";
    /** How soon the browser reconnects after a stream ends (each ends after stream-max-age). */
    private static final long RECONNECT_MILLIS = 100;

    private final ReviewFeed feed;
    private final BrokerClient broker;
    private final ConsoleUser user;

    ReviewResource(ReviewFeed feed, BrokerClient broker, ConsoleUser user) {
        this.feed = feed;
        this.broker = broker;
        this.user = user;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ReviewFeed.Snapshot> pending() {
        return feed.pending(user.accessToken());
    }

    @GET
    @Path("stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@Context SseEventSink sink, @Context Sse sse) {
        Cancellable[] subscription = new Cancellable[1];
        subscription[0] = feed.live(user.accessToken())
                .subscribe()
                .with(
                        snapshot -> sink.send(sse.newEventBuilder()
                                        .name(EVENT)
                                        .mediaType(MediaType.APPLICATION_JSON_TYPE)
                                        .data(ReviewFeed.Snapshot.class, snapshot)
                                        .reconnectDelay(RECONNECT_MILLIS)
                                        .build())
                                .whenComplete((ok, failure) -> {
                                    // the browser went away, or the broker refused (the page reconnects or stops)
                                    if (failure != null || snapshot.status() != 200) {
                                        if (subscription[0] != null) {
                                            subscription[0].cancel();
                                        }
                                        sink.close();
                                    }
                                }),
                        failure -> sink.close(),
                        sink::close);
    }

    @POST
    @Path("{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> approve(@PathParam("id") String id, DecisionForm form) {
        return decide(id, true, form);
    }

    @POST
    @Path("{id}/deny")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> deny(@PathParam("id") String id, DecisionForm form) {
        return decide(id, false, form);
    }

    private Uni<Response> decide(String id, boolean approve, DecisionForm form) {
        if (!REVIEW_ID.matcher(id).matches()) {
            return Uni.createFrom().item(Response.status(404).build());
        }
        return broker.decide(user.accessToken(), id, approve, form == null ? null : form.comment())
                .map(AccessRequestResource::answer);
    }
}
