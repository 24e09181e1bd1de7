package io.tuneloop.feedback.rest;

import io.tuneloop.tokens.Roles;
import io.tuneloop.service.auth.Caller;
import io.tuneloop.feedback.review.TeamScope;
import io.smallrye.common.annotation.NonBlocking;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.feedback.agreement.RatingStats;
import io.tuneloop.feedback.review.RatedItem;
import io.tuneloop.feedback.review.ReviewBoard;
import jakarta.inject.Inject;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/** The reviewer's side: items, their ratings, aggregates and agreement. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.REVIEWER)
@Tag(name = "review")
public class ReviewResource {
    private static final Map<String, Function<ReviewItem, String>> GROUPINGS = Map.of(
            "checkpoint", ReviewItem::checkpointId,
            "task", i -> i.task() == null ? "(none)" : i.task(),
            "suite", i -> i.suite() == null ? "(none)" : i.suite(),
            "round", i -> i.dataset() + "/round-" + i.round());

    @Inject ReviewBoard board;
    @Inject TeamScope teams;
    @Inject Caller caller;

    @GET
    @Path("/items")
    @NonBlocking
    @Operation(summary = "Items waiting for raters, in queue order: fewest raters first, then the least certain")
    public List<ReviewItem> waiting(@QueryParam("limit") @DefaultValue("20") int limit) {
        if (limit < 1 || limit > 500) {
            throw new IllegalArgumentException("limit must be 1..500, was " + limit);
        }
        return board.waiting(limit, teams.visibleTo(caller));
    }

    @GET
    @Path("/items/{itemId}")
    @NonBlocking
    @RolesAllowed({Roles.RATER, Roles.REVIEWER})
    @Operation(summary = "One review item")
    public ReviewItem item(@PathParam("itemId") String itemId) {
        return board.item(itemId).filter(teams.visibleTo(caller))
                .orElseThrow(() -> new NotFoundException("no review item " + itemId));
    }

    @GET
    @Path("/items/{itemId}/ratings")
    @NonBlocking
    @Operation(summary = "The latest version of each rater's rating of an item")
    public List<Rating> ratings(@PathParam("itemId") String itemId) {
        item(itemId);
        return board.ratingsOf(itemId);
    }

    @GET
    @Path("/aggregates")
    @Operation(summary = "Ratings per checkpoint, task, suite or round: counts, mean Likert, labels, corrections, alpha")
    public List<RatingStats.Group> aggregates(@QueryParam("by") @DefaultValue("checkpoint") String by,
                                              @QueryParam("dataset") String dataset,
                                              @QueryParam("checkpoint") String checkpoint) {
        Function<ReviewItem, String> key = GROUPINGS.get(by);
        if (key == null) {
            throw new IllegalArgumentException("by must be one of " + GROUPINGS.keySet().stream().sorted().toList()
                    + ", was " + by);
        }
        return RatingStats.groups(snapshot(dataset, checkpoint), key);
    }

    @GET
    @Path("/agreement")
    @Operation(summary = "Krippendorff's alpha of the Likert scores, overall and per item (items with 2+ scores)")
    public RatingStats.Agreement agreement(@QueryParam("dataset") String dataset,
                                           @QueryParam("checkpoint") String checkpoint) {
        return RatingStats.agreement(snapshot(dataset, checkpoint));
    }

    private List<RatedItem> snapshot(String dataset, String checkpoint) {
        Predicate<ReviewItem> visible = teams.visibleTo(caller);
        Predicate<ReviewItem> filter = i -> visible.test(i) && (dataset == null || i.dataset().equals(dataset))
                && (checkpoint == null || i.checkpointId().equals(checkpoint));
        return board.snapshot(filter);
    }
}
