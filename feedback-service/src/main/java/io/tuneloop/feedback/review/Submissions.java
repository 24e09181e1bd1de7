package io.tuneloop.feedback.review;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Idempotent admission of ratings: a submission with an idempotency key seen before replays what it
 * created (or waits for it while it is being published), the same key with another body is refused,
 * and at most one version of a rating is being published at a time. A granted rating changes the
 * views only once the topic has it ({@link ReviewBoard#completed}). Not thread-safe: the
 * {@link ReviewBoard} holds its lock.
 */
final class Submissions {
    private final ReviewViews views;
    private final LeaseQueue queue;
    private final Map<String, CompletableFuture<Rating>> inFlightKeys = new HashMap<>();
    private final Set<String> inFlightRatings = new HashSet<>();

    Submissions(ReviewViews views, LeaseQueue queue) {
        this.views = views;
        this.queue = queue;
    }

    boolean inFlight(String ratingId) {
        return inFlightRatings.contains(ratingId);
    }

    ReviewBoard.Admission admitNew(String raterId, String idempotencyKey, ReviewBoard.Content content, Instant now) {
        Optional<ReviewBoard.Admission> repeat = repeated(raterId, idempotencyKey, content);
        if (repeat.isPresent()) {
            return repeat.get();
        }
        Optional<ReviewItem> item = views.item(content.itemId());
        if (item.isEmpty()) {
            return refuse(ReviewBoard.Refusal.NO_SUCH_ITEM, "no review item " + content.itemId());
        }
        String ratingId = ReviewBoard.ratingId(raterId, content.itemId());
        if (views.rating(ratingId).isPresent() || inFlight(ratingId)) {
            return refuse(ReviewBoard.Refusal.ALREADY_RATED, "you already rated item " + content.itemId()
                    + "; change it with PUT /api/v1/ratings/" + ratingId);
        }
        if (!queue.assigned(raterId, content.itemId())) {
            return refuse(ReviewBoard.Refusal.NOT_ASSIGNED, "item " + content.itemId()
                    + " is not assigned to you (or the assignment expired); fetch one from /api/v1/queue/next");
        }
        Optional<ReviewBoard.Refused> badPreference = checkPreference(item.get(), content.preference());
        if (badPreference.isPresent()) {
            return badPreference.get();
        }
        return grant(new Rating(ratingId, 1, content.itemId(), raterId, content.likert(), content.labels(),
                content.correctedResponse(), content.preference(), content.guidelinesVersion(), content.status(),
                idempotencyKey, now), idempotencyKey);
    }

    ReviewBoard.Admission admitChange(String raterId, String ratingId, String idempotencyKey,
                                      ReviewBoard.Content content, Instant now) {
        Optional<Rating> found = views.rating(ratingId);
        if (found.isEmpty()) {
            return refuse(ReviewBoard.Refusal.NO_SUCH_RATING, "no rating " + ratingId);
        }
        Rating current = found.get();
        if (!current.raterId().equals(raterId)) {
            return refuse(ReviewBoard.Refusal.NOT_YOURS, "rating " + ratingId + " belongs to another rater");
        }
        ReviewBoard.Content onItem = new ReviewBoard.Content(current.itemId(), content.status(), content.likert(),
                content.labels(), content.correctedResponse(), content.preference(), content.guidelinesVersion());
        Optional<ReviewBoard.Admission> repeat = repeated(raterId, idempotencyKey, onItem);
        if (repeat.isPresent()) {
            return repeat.get();
        }
        if (inFlight(ratingId)) {
            return refuse(ReviewBoard.Refusal.BEING_CHANGED, "rating " + ratingId
                    + " is being changed by another request; retry");
        }
        Optional<ReviewItem> item = views.item(current.itemId());
        if (item.isPresent()) {
            Optional<ReviewBoard.Refused> badPreference = checkPreference(item.get(), content.preference());
            if (badPreference.isPresent()) {
                return badPreference.get();
            }
        }
        return grant(new Rating(ratingId, current.version() + 1, current.itemId(), raterId, onItem.likert(),
                onItem.labels(), onItem.correctedResponse(), onItem.preference(), onItem.guidelinesVersion(),
                onItem.status(), idempotencyKey, now), idempotencyKey);
    }

    void release(ReviewBoard.Granted granted) {
        inFlightRatings.remove(granted.rating().ratingId());
        if (granted.rating().idempotencyKey() != null) {
            inFlightKeys.remove(keyOf(granted.rating().raterId(), granted.rating().idempotencyKey()));
        }
    }

    private ReviewBoard.Admission grant(Rating rating, String idempotencyKey) {
        CompletableFuture<Rating> result = new CompletableFuture<>();
        inFlightRatings.add(rating.ratingId());
        if (idempotencyKey != null) {
            inFlightKeys.put(keyOf(rating.raterId(), idempotencyKey), result);
        }
        return new ReviewBoard.Granted(rating, result);
    }

    private Optional<ReviewBoard.Admission> repeated(String raterId, String idempotencyKey, ReviewBoard.Content content) {
        if (idempotencyKey == null) {
            return Optional.empty();
        }
        Optional<Rating> earlier = views.byKey(raterId, idempotencyKey);
        if (earlier.isPresent()) {
            if (!ReviewBoard.Content.of(earlier.get()).equals(content)) {
                return Optional.of(refuse(ReviewBoard.Refusal.KEY_REUSED, "Idempotency-Key " + idempotencyKey
                        + " was already used for a different rating; use a new key for a new rating"));
            }
            return Optional.of(new ReviewBoard.Replay(earlier.get()));
        }
        CompletableFuture<Rating> inFlight = inFlightKeys.get(keyOf(raterId, idempotencyKey));
        return inFlight == null ? Optional.empty() : Optional.of(new ReviewBoard.InFlight(inFlight));
    }

    private Optional<ReviewBoard.Refused> checkPreference(ReviewItem item, Rating.Preference preference) {
        if (preference == null) {
            return Optional.empty();
        }
        Optional<ReviewItem> other = views.item(preference.otherItemId());
        if (other.isEmpty() || preference.otherItemId().equals(item.itemId())) {
            return Optional.of(refuse(ReviewBoard.Refusal.BAD_PREFERENCE,
                    "preference.otherItemId must name another review item, was " + preference.otherItemId()));
        }
        if (!ReviewViews.samePrompt(other.get(), item)) {
            return Optional.of(refuse(ReviewBoard.Refusal.BAD_PREFERENCE, "a preference compares two responses to the"
                    + " same prompt; item " + preference.otherItemId() + " answers a different prompt"));
        }
        return Optional.empty();
    }

    private static ReviewBoard.Refused refuse(ReviewBoard.Refusal why, String reason) {
        return new ReviewBoard.Refused(why, reason);
    }

    private static String keyOf(String raterId, String idempotencyKey) {
        return raterId + "\n" + idempotencyKey;
    }
}
