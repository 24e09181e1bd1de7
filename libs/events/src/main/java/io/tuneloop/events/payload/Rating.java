package io.tuneloop.events.payload;

import java.time.Instant;
import java.util.List;

/**
 * One version of one rater's rating of one review item. Rater, time and item are set by the
 * server from the token and the queue, never from a request body.
 *
 * @param ratingId          unique id of this rating (stable across versions; one per rater and item)
 * @param version           1 for the first submission, +1 for each change by the same rater
 * @param itemId            the review item
 * @param raterId           the authenticated rater
 * @param likert            1..5, or null when only labels/corrections/preferences are given
 * @param labels            named labels (helpful, fails_task, unsafe, spam, ...)
 * @param correctedResponse a better response written by the rater
 * @param preference        a pairwise preference between this item's response and another response to the same prompt
 * @param guidelinesVersion the rating guidelines the rater followed
 * @param status            {@link #SUBMITTED}, or {@link #DISCARDED} when the rater skipped the item
 * @param idempotencyKey    the client's retry key
 * @param ratedAt           server time
 */
public record Rating(String ratingId, int version, String itemId, String raterId, Integer likert,
                     List<String> labels, String correctedResponse, Preference preference,
                     String guidelinesVersion, String status, String idempotencyKey, Instant ratedAt) {
    public static final String SUBMITTED = "SUBMITTED";
    public static final String DISCARDED = "DISCARDED";

    /**
     * Which of two responses to the same prompt the rater preferred.
     *
     * @param otherItemId the review item holding the other response
     * @param choice      {@code this} (the rated item's response), {@code other}, or {@code tie}
     */
    public record Preference(String otherItemId, String choice) {
        public static final List<String> CHOICES = List.of("this", "other", "tie");

        public Preference {
            Require.text(otherItemId, "preference.otherItemId");
            if (!CHOICES.contains(choice)) {
                throw new InvalidPayloadException("preference.choice must be one of " + CHOICES + ", was " + choice);
            }
        }
    }

    public Rating {
        Require.texts("ratingId", ratingId, "itemId", itemId, "raterId", raterId, "status", status);
        Require.positive(version, "version");
        Require.present(ratedAt, "ratedAt");
        if (!SUBMITTED.equals(status) && !DISCARDED.equals(status)) {
            throw new InvalidPayloadException("status must be SUBMITTED or DISCARDED, was " + status);
        }
        if (likert != null && (likert < 1 || likert > 5)) {
            throw new InvalidPayloadException("likert must be 1..5, was " + likert);
        }
        labels = labels == null ? List.of() : List.copyOf(labels);
        if (correctedResponse != null && correctedResponse.isBlank()) {
            throw new InvalidPayloadException("correctedResponse must not be blank when given");
        }
        if (SUBMITTED.equals(status) && likert == null && labels.isEmpty() && correctedResponse == null
                && preference == null) {
            throw new InvalidPayloadException("a rating needs a likert score, a label, a correction or a preference");
        }
    }

    public boolean submitted() {
        return SUBMITTED.equals(status);
    }
}
