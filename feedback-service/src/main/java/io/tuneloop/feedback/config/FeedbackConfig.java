package io.tuneloop.feedback.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/** {@code tuneloop.feedback.*}: the queue, the rating rules, the rate limit and the round policy. */
@ConfigMapping(prefix = "tuneloop.feedback")
public interface FeedbackConfig {
    /** How many raters rate each review item. */
    @WithDefault("3")
    int overlap();

    /** How long an assignment waits for its rating before the item goes to someone else. */
    @WithDefault("30M")
    Duration leaseTtl();

    /** The labels raters may give. */
    @WithDefault("helpful,fails_task,unsafe,spam,off_topic,factual_error,too_long")
    Set<String> labels();

    @WithDefault("8000")
    int maxCorrectionChars();

    /** Accepted rating guidelines versions; the first is the current one. */
    @WithDefault("v1")
    List<String> guidelinesVersions();

    RateLimit rateLimit();

    Round round();

    /** Per-rater write limit: {@code burst} at once, then {@code per-second}. */
    interface RateLimit {
        @WithDefault("2")
        double perSecond();

        @WithDefault("30")
        int burst();
    }

    /** The policy that starts the next round (see RoundPolicy). */
    interface Round {
        /** Whether the policy starts rounds by itself; admins can always start one. */
        @WithDefault("true")
        boolean automatic();

        @WithDefault("10S")
        Duration checkInterval();

        @WithDefault("50")
        int minRatings();

        @WithDefault("2")
        int minRaters();

        @WithDefault("1")
        int maxSpread();

        @WithDefault("4.0")
        double topRatedMean();

        @WithDefault("unsafe,spam")
        Set<String> excludedLabels();

        /** Suites whose items may become training data: review pools, never an eval suite. */
        @WithDefault("review")
        Set<String> trainableSuites();

        @WithDefault("2")
        int preferenceMinVotes();

        @WithDefault("0.75")
        double preferenceMajority();

        /** Each agreed correction is also a preference pair: the correction over the response it corrects. */
        @WithDefault("true")
        boolean correctionPairs();
    }
}
