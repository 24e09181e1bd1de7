package io.tuneloop.feedback.messaging;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.feedback.rating.RatingService;
import io.tuneloop.service.messaging.Events;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.concurrent.CompletionStage;

/** Sends ratings to the ratings topic; the returned stage completes when the broker has them (acks=all). */
@ApplicationScoped
public class RatingPublisher implements RatingService.Publisher {
    private final MutinyEmitter<Rating> ratings;

    public RatingPublisher(@Channel(Channels.RATINGS_OUT)
                           @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384)
                           MutinyEmitter<Rating> ratings) {
        this.ratings = ratings;
    }

    @Override
    public CompletionStage<Void> apply(Rating rating) {
        // keyed by item: every version of every rating of an item stays in order on one partition
        return ratings.sendMessage(Events.message(Topics.RATINGS, rating.itemId(), rating,
                "rating:" + rating.ratingId() + ":" + rating.version())).subscribeAsCompletionStage();
    }
}
