package io.tuneloop.feedback.config;

import io.tuneloop.feedback.rating.RateLimiter;
import io.tuneloop.feedback.rating.RatingRules;
import io.tuneloop.feedback.rating.RatingService;
import io.tuneloop.feedback.messaging.RatingPublisher;
import io.tuneloop.feedback.review.ReviewBoard;
import io.tuneloop.feedback.round.RoundPolicy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Wires the plain-Java core from configuration. */
public class FeedbackBeans {

    @Produces
    @Singleton
    ReviewBoard board(FeedbackConfig config) {
        return new ReviewBoard(new ReviewBoard.Settings(config.overlap(), config.leaseTtl()));
    }

    @Produces
    @Singleton
    RoundPolicy roundPolicy(FeedbackConfig config) {
        FeedbackConfig.Round r = config.round();
        return new RoundPolicy(new RoundPolicy.Settings(r.minRatings(), r.minRaters(), r.maxSpread(), r.topRatedMean(),
                r.excludedLabels(), r.excludedSuitePrefixes(), r.preferenceMinVotes(), r.preferenceMajority()));
    }

    @Produces
    @Singleton
    RatingService ratingService(ReviewBoard board, FeedbackConfig config, RatingPublisher publisher) {
        RatingRules rules = new RatingRules(config.labels(), config.maxCorrectionChars(), config.guidelinesVersions());
        RateLimiter limiter = new RateLimiter(config.rateLimit().perSecond(), config.rateLimit().burst());
        return new RatingService(board, rules, limiter, publisher, Clock.systemUTC());
    }
}
