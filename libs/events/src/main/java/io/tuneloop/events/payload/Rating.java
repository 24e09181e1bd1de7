package io.tuneloop.events.payload;

import java.time.Instant;
import java.util.List;

/**
 * One version of one rater's rating of one review item. Rater, time and item are set by the
 * server from the token and the queue, never from a request body.
 *
 * @param ratingId          unique id of this rating (stable across versions)
 * @param version           1 for the first submission, +1 for each change by the same rater
 * @param itemId            the review item
 * @param raterId           the authenticated rater
 * @param likert            1..5, or null when only labels/corrections/preferences are given
 * @param labels            named labels (helpful, fails_task, unsafe, spam, ...)
 * @param correctedResponse a better response written by the rater
 * @param preferredOverItemId the other item (same prompt) this response was preferred over, if any
 * @param guidelinesVersion the rating guidelines the rater followed
 * @param status            SUBMITTED or DISCARDED
 * @param idempotencyKey    the client's retry key
 * @param ratedAt           server time
 */
public record Rating(String ratingId, int version, String itemId, String raterId, Integer likert,
                     List<String> labels, String correctedResponse, String preferredOverItemId,
                     String guidelinesVersion, String status, String idempotencyKey, Instant ratedAt) {
    public Rating {
        Require.text(ratingId, "ratingId");
        Require.positive(version, "version");
        Require.text(itemId, "itemId");
        Require.text(raterId, "raterId");
        Require.text(status, "status");
        Require.present(ratedAt, "ratedAt");
        if (likert != null && (likert < 1 || likert > 5)) {
            throw new InvalidPayloadException("likert must be 1..5, was " + likert);
        }
        labels = labels == null ? List.of() : List.copyOf(labels);
        if (likert == null && labels.isEmpty() && correctedResponse == null && preferredOverItemId == null) {
            throw new InvalidPayloadException("a rating needs a likert score, a label, a correction or a preference");
        }
    }
}
