package io.tuneloop.feedback.messaging;

import io.tuneloop.feedback.review.TeamScope;
import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.events.Channels;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.feedback.review.ReviewBoard;
import io.tuneloop.feedback.flow.Rounds;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletionStage;

/** Builds the views from review-items, ratings and round-requests (each instance reads them all, from the start). */
@ApplicationScoped
public class FeedbackChannels {
    private final ReviewBoard board;
    private final Rounds rounds;
    private final ViewsReadiness readiness;
    private final TeamScope teams;

    public FeedbackChannels(ReviewBoard board, Rounds rounds, ViewsReadiness readiness, TeamScope teams,
                            MeterRegistry meters) {
        this.board = board;
        this.teams = teams;
        this.rounds = rounds;
        this.readiness = readiness;
        meters.gauge("tuneloop.feedback.items.known", board, ReviewBoard::itemCount);
        meters.gauge("tuneloop.feedback.items.waiting", board, ReviewBoard::waitingCount);
        meters.gauge("tuneloop.feedback.ratings.known", board, ReviewBoard::ratingCount);
    }

    /** On a worker thread, in order: an item's team is read (once per dataset) before raters can get it. */
    @Incoming(Channels.REVIEW_ITEMS_IN)
    @io.smallrye.reactive.messaging.annotations.Blocking
    public CompletionStage<Void> onReviewItem(Message<ReviewItem> message) {
        teams.learnNow(message.getPayload().dataset());
        board.add(message.getPayload());
        readiness.applied(message);
        return message.ack();
    }

    @Incoming(Channels.RATINGS_IN)
    public CompletionStage<Void> onRating(Message<Rating> message) {
        board.add(message.getPayload());
        readiness.applied(message);
        return message.ack();
    }

    @Incoming(Channels.ROUND_REQUESTS_IN)
    public CompletionStage<Void> onRoundRequest(Message<RoundRequest> message) {
        rounds.requested(message.getPayload());
        readiness.applied(message);
        return message.ack();
    }
}
