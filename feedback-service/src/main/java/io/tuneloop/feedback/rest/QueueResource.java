package io.tuneloop.feedback.rest;

import java.util.function.Predicate;
import io.tuneloop.tokens.Roles;
import io.tuneloop.service.auth.Caller;
import io.tuneloop.feedback.review.TeamScope;
import io.tuneloop.events.payload.ReviewItem;
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
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** The rater's side: fetch the next item, rate it or skip it. */
@Path("/api/v1/queue")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.RATER)
@Tag(name = "rating")
public class QueueResource {
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    @Inject ReviewBoard board;
    @Inject RatingService ratings;
    @Inject TeamScope teams;
    @Inject Caller caller;

    @GET
    @Path("/next")
    @NonBlocking
    @Operation(summary = "Your next item to rate (your open assignment if you have one); 204 when nothing is left")
    public Response next(@Context SecurityContext security,
                         @Parameter(description = "only items of this dataset") @QueryParam("dataset") String dataset) {
        return board.next(rater(security), teams.visibleTo(caller), dataset, Instant.now())
                .map(a -> Response.ok(a).build())
                .orElseGet(() -> Response.noContent().build());
    }

    @GET
    @Path("/progress")
    @NonBlocking
    @Operation(summary = "How many items you rated and skipped, and how many are left for you")
    public ReviewBoard.Progress progress(@Context SecurityContext security) {
        return board.progress(rater(security), teams.visibleTo(caller));
    }

    @POST
    @Path("/{itemId}/rating")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Rate the item you were assigned; acknowledged once the ratings topic has it")
    @RequestBody(description = "{\"likert\": 1..5, \"labels\": [\"helpful\"], \"correctedResponse\": \"...\","
            + " \"preference\": {\"otherItemId\": \"...\", \"choice\": \"this|other|tie\"}, \"guidelinesVersion\": \"v1\"}")
    @APIResponse(responseCode = "201", description = "rated")
    @APIResponse(responseCode = "200", description = "a retry with the same Idempotency-Key: the rating it created")
    @APIResponse(responseCode = "409", description = "not assigned to you, or already rated (change it with PUT)")
    @APIResponse(responseCode = "422", description = "the Idempotency-Key was used for a different rating")
    @APIResponse(responseCode = "429", description = "too many ratings; see Retry-After")
    public CompletionStage<Response> rate(@Context SecurityContext security, @PathParam("itemId") String itemId,
                                          @Parameter(description = "retry key: a retry with the same key creates one rating")
                                          @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
                                          @Parameter(description = "also return your next assignment: one request per item")
                                          @QueryParam("next") boolean withNext,
                                          @Parameter(description = "with next: only items of this dataset")
                                          @QueryParam("dataset") String dataset, String body) {
        String rater = rater(security);
        Predicate<ReviewItem> visible = teams.visibleTo(caller);
        return ratings.rate(rater, itemId, RatingInput.parse(body), idempotencyKey)
                .thenApply(outcome -> created(outcome, withNext ? withNext(outcome, rater, visible, dataset)
                        : outcome.rating()));
    }

    @POST
    @Path("/{itemId}/skip")
    @Operation(summary = "Skip the item you were assigned; it goes to another rater and never back to you")
    public CompletionStage<Response> skip(@Context SecurityContext security, @PathParam("itemId") String itemId,
                                          @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
                                          @QueryParam("next") boolean withNext, @QueryParam("dataset") String dataset) {
        String rater = rater(security);
        Predicate<ReviewItem> visible = teams.visibleTo(caller);
        return ratings.skip(rater, itemId, idempotencyKey)
                .thenApply(outcome -> created(outcome, withNext ? withNext(outcome, rater, visible, dataset)
                        : outcome.rating()));
    }

    /** The stored rating and, when asked for with {@code ?next=true}, the rater's next assignment (null when none is left). */
    public record RatedAndNext(Rating rating, ReviewBoard.Assignment next) {
    }

    private RatedAndNext withNext(RatingService.Outcome outcome, String rater, Predicate<ReviewItem> visible,
                                  String dataset) {
        return new RatedAndNext(outcome.rating(), board.next(rater, visible, dataset, Instant.now()).orElse(null));
    }

    static Response created(RatingService.Outcome outcome, Object entity) {
        if (outcome.replayed()) {
            return Response.ok(entity).header("Idempotent-Replayed", "true").build();
        }
        return Response.created(URI.create("/api/v1/ratings/" + outcome.rating().ratingId())).entity(entity).build();
    }

    static String rater(SecurityContext security) {
        return security.getUserPrincipal().getName();
    }
}
