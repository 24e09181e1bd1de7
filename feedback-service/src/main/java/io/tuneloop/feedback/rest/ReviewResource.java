package io.tuneloop.feedback.rest;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.feedback.review.ReviewBoard;
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

import java.util.Collection;
import java.util.List;

/** Read views of the review board. */
@Path("/api/v1/items")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "review")
public class ReviewResource {
    private final ReviewBoard board;

    public ReviewResource(ReviewBoard board) {
        this.board = board;
    }

    @GET
    @Operation(summary = "Items to review: fewest ratings first, then the ones the model was least sure about")
    public List<ReviewItem> queue(@QueryParam("limit") @DefaultValue("20") int limit) {
        if (limit < 1 || limit > 500) {
            throw new IllegalArgumentException("limit must be 1..500, was " + limit);
        }
        return board.queue(limit);
    }

    @GET
    @Path("/{itemId}")
    @Operation(summary = "One review item")
    public ReviewItem item(@PathParam("itemId") String itemId) {
        return board.item(itemId).orElseThrow(() -> new NotFoundException("no review item " + itemId));
    }

    @GET
    @Path("/{itemId}/ratings")
    @Operation(summary = "The latest version of each rating of an item")
    public Collection<Rating> ratings(@PathParam("itemId") String itemId) {
        item(itemId);
        return board.ratingsOf(itemId);
    }
}
