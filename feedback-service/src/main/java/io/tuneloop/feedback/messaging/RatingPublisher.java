package io.tuneloop.feedback.messaging;

import io.tuneloop.events.Actor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.feedback.rating.RatingService;
import io.tuneloop.service.messaging.Events;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.concurrent.CompletionStage;

/** Sends ratings to the ratings topic; the returned stage completes when the broker has them (acks=all). */
@ApplicationScoped
@Startup // its counters exist from the start, not from the first rating after a restart
public class RatingPublisher implements RatingService.Publisher {
    private final MutinyEmitter<Rating> ratings;
    private final Counter submitted;
    private final Counter discarded;

    public RatingPublisher(@Channel(Channels.RATINGS_OUT)
                           @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384)
                           MutinyEmitter<Rating> ratings, MeterRegistry meters) {
        this.ratings = ratings;
        // registered up front: dashboards and alerts find the series before the first rating
        this.submitted = meters.counter("tuneloop.feedback.ratings.stored", "status", Rating.SUBMITTED);
        this.discarded = meters.counter("tuneloop.feedback.ratings.stored", "status", Rating.DISCARDED);
    }

    @Override
    public CompletionStage<Void> apply(Rating rating) {
        // keyed by item: every version of every rating of an item stays in order on one partition
        return ratings.sendMessage(Events.message(Topics.RATINGS, rating.itemId(), rating,
                "rating:" + rating.ratingId() + ":" + rating.version(), new Actor(rating.raterId(), null)))
                .invoke(() -> (rating.submitted() ? submitted : discarded).increment())
                .subscribeAsCompletionStage();
    }
}
