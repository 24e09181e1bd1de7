package io.tuneloop.feedback.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.events.Channels;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.feedback.review.ReviewBoard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Feeds the review board from review-items and ratings. */
@ApplicationScoped
public class FeedbackChannels {
    private final ReviewBoard board;

    public FeedbackChannels(ReviewBoard board, MeterRegistry meters) {
        this.board = board;
        meters.gauge("tuneloop.feedback.items.known", board, ReviewBoard::itemCount);
        meters.gauge("tuneloop.feedback.ratings.known", board, ReviewBoard::ratingCount);
    }

    @Incoming(Channels.REVIEW_ITEMS_IN)
    public void onReviewItem(ReviewItem item) {
        board.add(item);
    }

    @Incoming(Channels.RATINGS_IN)
    public void onRating(Rating rating) {
        board.add(rating);
    }

    /** The service's one board. */
    public static class BoardProducer {
        @Produces
        @Singleton
        ReviewBoard board() {
            return new ReviewBoard();
        }
    }
}
