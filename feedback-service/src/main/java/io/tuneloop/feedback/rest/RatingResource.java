package io.tuneloop.feedback.rest;

import io.tuneloop.tokens.Roles;
import io.tuneloop.service.auth.Caller;
import io.tuneloop.feedback.review.TeamScope;
import io.smallrye.common.annotation.NonBlocking;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.feedback.rating.RatingInput;
import io.tuneloop.feedback.rating.RatingService;
import io.tuneloop.feedback.review.ReviewBoard;
import jakarta.inject.Inject;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Ratings: a rater's own history and changes; reviewers read any rating. */
@Path("/api/v1/ratings")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "rating")
public class RatingResource {
    @Inject ReviewBoard board;
    @Inject RatingService ratings;
    @Inject TeamScope teams;
    @Inject Caller caller;

    @GET
    @Path("/mine")
    @NonBlocking
    @RolesAllowed(Roles.RATER)
    @Operation(summary = "Your ratings and skips (latest version of each), most recently changed last")
    public List<Rating> mine(@Context SecurityContext security) {
        return board.history(QueueResource.rater(security));
    }

    @GET
    @Path("/{ratingId}")
    @NonBlocking
    @RolesAllowed({Roles.RATER, Roles.REVIEWER})
    @Operation(summary = "One rating (yours, or any for reviewers)")
    public Rating rating(@Context SecurityContext security, @PathParam("ratingId") String ratingId) {
        Rating rating = board.rating(ratingId).orElseThrow(() -> new NotFoundException("no rating " + ratingId));
        boolean reviewer = security.isUserInRole(Roles.REVIEWER)
                && board.item(rating.itemId()).map(teams.visibleTo(caller)::test).orElse(false);
        if (!reviewer && !rating.raterId().equals(QueueResource.rater(security))) {
            // another rater's rating: indistinguishable from a missing one
            throw new NotFoundException("no rating " + ratingId);
        }
        return rating;
    }

    @PUT
    @Path("/{ratingId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.RATER)
    @Operation(summary = "Change your rating: a new version; never someone else's")
    public CompletionStage<Response> change(@Context SecurityContext security, @PathParam("ratingId") String ratingId,
                                            @HeaderParam(QueueResource.IDEMPOTENCY_KEY) String idempotencyKey, String body) {
        return ratings.change(QueueResource.rater(security), ratingId, RatingInput.parse(body), idempotencyKey)
                .thenApply(outcome -> Response.ok(outcome.rating()).build());
    }
}
