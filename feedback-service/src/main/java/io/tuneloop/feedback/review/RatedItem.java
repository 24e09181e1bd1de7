package io.tuneloop.feedback.review;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;

import java.util.List;

/** A review item with the latest version of each rater's rating of it. */
public record RatedItem(ReviewItem item, List<Rating> ratings) {
    public RatedItem {
        ratings = List.copyOf(ratings);
    }

    /** Likert scores of submitted ratings (skips and label-only ratings have none). */
    public List<Double> likertScores() {
        return ratings.stream().filter(Rating::submitted).filter(r -> r.likert() != null)
                .map(r -> (double) r.likert()).toList();
    }

    public long submittedCount() {
        return ratings.stream().filter(Rating::submitted).count();
    }
}
