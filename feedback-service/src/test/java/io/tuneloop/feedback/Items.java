package io.tuneloop.feedback;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;

import java.time.Instant;
import java.util.List;

/** Review items and ratings for tests. */
public final class Items {
    public static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private Items() {
    }

    public static ReviewItem item(String id, double uncertainty) {
        return item(id, "demo", 0, "general", "task-a", "Prompt of " + id, "Response of " + id, uncertainty);
    }

    public static ReviewItem item(String id, String dataset, int round, String suite, String task, String prompt, String response,
                           double uncertainty) {
        return new ReviewItem(id, "run-1/shard-0", "run-1", round, dataset, 1, suite, task, prompt, response, null,
                uncertainty, T0);
    }

    public static Rating rating(String rater, String itemId, Integer likert, String... labels) {
        return rating(rater, itemId, 1, likert, null, null, labels);
    }

    public static Rating rating(String rater, String itemId, int version, Integer likert, String correction,
                         Rating.Preference preference, String... labels) {
        return new Rating(io.tuneloop.feedback.review.ReviewBoard.ratingId(rater, itemId), version, itemId, rater, likert,
                List.of(labels), correction, preference, "v1", Rating.SUBMITTED, null, T0);
    }
}
