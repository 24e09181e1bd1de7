package io.tuneloop.feedback;

import io.tuneloop.feedback.config.FeedbackConfig;
import io.tuneloop.feedback.rating.RateLimiter;
import io.tuneloop.feedback.rating.RatingRules;
import io.tuneloop.feedback.rating.RatingService;
import io.tuneloop.feedback.review.ReviewBoard;
import io.tuneloop.feedback.flow.RoundPolicy;
import io.tuneloop.feedback.flow.RoundPorts;
import io.tuneloop.feedback.flow.Rounds;
import io.tuneloop.feedback.metrics.FeedbackMeters;
import io.micrometer.core.instrument.MeterRegistry;
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
                r.excludedLabels(), r.trainableSuites(), r.preferenceMinVotes(), r.preferenceMajority(), r.correctionPairs()));
    }

    @Produces
    @Singleton
    RatingService ratingService(ReviewBoard board, FeedbackConfig config, RatingService.Publisher publisher) {
        RatingRules rules = new RatingRules(config.labels(), config.maxCorrectionChars(), config.guidelinesVersions());
        RateLimiter limiter = new RateLimiter(config.rateLimit().perSecond(), config.rateLimit().burst());
        return new RatingService(board, rules, limiter, publisher, Clock.systemUTC());
    }

    @Produces
    @Singleton
    Rounds rounds(ReviewBoard board, RoundPolicy policy, RoundPorts.Exports exports, RoundPorts.Requests requests,
                  RoundPorts.Views views, MeterRegistry meters, FeedbackConfig config) {
        return new Rounds(board, policy, exports, requests, views, new FeedbackMeters(meters), Clock.systemUTC(),
                config.round().automatic());
    }
}
