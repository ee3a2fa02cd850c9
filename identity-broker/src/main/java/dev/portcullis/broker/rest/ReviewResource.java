package dev.portcullis.broker.rest;

import dev.portcullis.broker.api.ReviewApi.ReviewView;
import dev.portcullis.broker.api.ReviewId;
import dev.portcullis.broker.entity.Review;
import dev.portcullis.broker.security.Caller;
import dev.portcullis.broker.service.Approver;
import dev.portcullis.broker.service.ReviewService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Command reviews for approvers. */
@Path("/v1/reviews")
public class ReviewResource {

    private final ReviewService service;
    private final Caller caller;

    public ReviewResource(ReviewService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Caller.APPROVER, Caller.ADMIN})
    public Uni<List<ReviewView>> list(
            @QueryParam("status") String status, @QueryParam("limit") @DefaultValue("100") int limit) {
        return service.list(StatusParam.parse(Review.Status.class, status), Math.max(1, Math.min(limit, 500)));
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Caller.APPROVER, Caller.ADMIN})
    public Uni<ReviewView> get(@PathParam("id") @ReviewId String id) {
        return service.get(id);
    }

    @POST
    @Path("{id}/approve")
    @RolesAllowed(Caller.APPROVER)
    @Consumes(MediaType.WILDCARD)
    public Uni<ReviewView> approve(@PathParam("id") @ReviewId String id, String body) {
        return service.decide(id, true, approver(), DecisionBody.comment(body));
    }

    @POST
    @Path("{id}/deny")
    @RolesAllowed(Caller.APPROVER)
    @Consumes(MediaType.WILDCARD)
    public Uni<ReviewView> deny(@PathParam("id") @ReviewId String id, String body) {
        return service.decide(id, false, approver(), DecisionBody.comment(body));
    }

    private Approver approver() {
        return new Approver(caller.username(), caller.groups());
    }
}
