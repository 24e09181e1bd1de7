package io.tuneloop.feedback.review;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.store.Sha256;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Everything the feedback service knows of review: the projection of the topics
 * ({@link ReviewViews}), the live queue of leased assignments ({@link LeaseQueue}) and the idempotent
 * admission of ratings ({@link Submissions}), kept consistent with each other.
 *
 * <p>One lock guards all three: every operation is a few map updates, far below the cost of the
 * HTTP request and the Kafka send around it.
 */
public final class ReviewBoard {
    /**
     * @param overlap  how many raters rate each item
     * @param leaseTtl how long an assignment waits for its rating
     */
    public record Settings(int overlap, Duration leaseTtl) {
        public Settings {
            if (overlap < 1) {
                throw new IllegalArgumentException("overlap must be >= 1, was " + overlap);
            }
            if (leaseTtl.isNegative() || leaseTtl.isZero()) {
                throw new IllegalArgumentException("lease ttl must be positive");
            }
        }
    }

    /** An item handed to a rater, and optionally another response to the same prompt to compare it with. */
    public record Assignment(ReviewItem item, Instant expiresAt, ReviewItem compareWith) {
    }

    /** A rater's counts. */
    public record Progress(long rated, long skipped, long remaining) {
    }

    /** The fields of a rating that a retry with the same idempotency key must repeat. */
    public record Content(String itemId, String status, Integer likert, List<String> labels, String correctedResponse,
                          Rating.Preference preference, String guidelinesVersion) {
        public static Content of(Rating rating) {
            return new Content(rating.itemId(), rating.status(), rating.likert(), rating.labels(),
                    rating.correctedResponse(), rating.preference(), rating.guidelinesVersion());
        }
    }

    /** What happens to a submission. */
    public sealed interface Admission {
    }

    /** The same key was used before with the same content: answer with what it created. */
    public record Replay(Rating rating) implements Admission {
    }

    /** The same key is being published right now: wait for that. */
    public record InFlight(CompletableFuture<Rating> result) implements Admission {
    }

    /** Why a submission is refused (the REST layer maps each to its HTTP status). */
    public enum Refusal {
        NO_SUCH_ITEM, NO_SUCH_RATING, ALREADY_RATED, NOT_ASSIGNED, NOT_YOURS, BEING_CHANGED, KEY_REUSED, BAD_PREFERENCE
    }

    /** Refused, with the reason. */
    public record Refused(Refusal why, String reason) implements Admission {
    }

    /** Go ahead: publish {@code rating}, then call {@link #completed} or {@link #failed}. */
    public record Granted(Rating rating, CompletableFuture<Rating> result) implements Admission {
    }

    private final Settings settings;
    private final ReviewViews views = new ReviewViews();
    private final LeaseQueue queue;
    private final Submissions submissions;

    public ReviewBoard(Settings settings) {
        this.settings = settings;
        this.queue = new LeaseQueue(settings, views);
        this.submissions = new Submissions(views, queue);
    }

    public Settings settings() {
        return settings;
    }

    /** The id of a rater's rating of an item: one per (rater, item), stable across versions and restarts. */
    public static String ratingId(String rater, String itemId) {
        return Sha256.hex((rater + "\n" + itemId).getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }

    // ------------------------------------------------------------------------------------ events

    public synchronized void add(ReviewItem item) {
        if (views.add(item)) {
            queue.requeue(item);
        }
    }

    /** Applies a rating event; returns whether it changed the views (false for a redelivery or an older version). */
    public synchronized boolean add(Rating rating) {
        if (!views.add(rating)) {
            return false;
        }
        queue.rated(rating.raterId(), rating.itemId());
        views.item(rating.itemId()).ifPresent(queue::requeue);
        return true;
    }

    // ------------------------------------------------------------------------------------ queue

    /** The rater's next item: their open assignment if they have one, else a new one; empty when nothing is left. */
    public Optional<Assignment> next(String raterId, Instant now) {
        return next(raterId, item -> true, null, now);
    }

    /**
     * As {@link #next(String, Instant)}, among the items {@code visible} to the rater (their team's),
     * and only items of {@code dataset} when it is not null.
     */
    public synchronized Optional<Assignment> next(String raterId, Predicate<ReviewItem> visible, String dataset,
                                                  Instant now) {
        expireLeases(now);
        return queue.next(raterId, item -> visible.test(item) && (dataset == null || dataset.equals(item.dataset())),
                now).map(lease -> {
            ReviewItem item = views.item(lease.itemId()).orElseThrow();
            return new Assignment(item, lease.expiresAt(), views.sibling(item).orElse(null));
        });
    }

    /** The rater's progress among the items {@code visible} to them. */
    public synchronized Progress progress(String raterId, Predicate<ReviewItem> visible) {
        return new Progress(views.rated(raterId), views.skipped(raterId),
                queue.remaining(raterId, id -> views.item(id).map(visible::test).orElse(false)));
    }

    private void expireLeases(Instant now) {
        queue.expire(now, lease -> submissions.inFlight(ratingId(lease.rater(), lease.itemId())));
    }

    // ------------------------------------------------------------------------------------ submissions

    /**
     * Admits a first rating (or a skip) of an item the rater was assigned. {@code content.itemId()}
     * comes from the path and is checked against the rater's assignment.
     */
    public synchronized Admission admitNew(String raterId, String idempotencyKey, Content content, Instant now) {
        expireLeases(now);
        return submissions.admitNew(raterId, idempotencyKey, content, now);
    }

    /** Admits a new version of the rater's own rating {@code ratingId}. */
    public synchronized Admission admitChange(String raterId, String ratingId, String idempotencyKey,
                                              Content content, Instant now) {
        return submissions.admitChange(raterId, ratingId, idempotencyKey, content, now);
    }

    /** The rating is on the topic: apply it and answer everyone waiting on its key. */
    public void completed(Granted granted) {
        synchronized (this) {
            add(granted.rating());
            submissions.release(granted);
        }
        granted.result().complete(granted.rating());
    }

    /** Publishing failed: nothing changed; the client may retry with the same key. */
    public void failed(Granted granted, Throwable cause) {
        synchronized (this) {
            submissions.release(granted);
        }
        granted.result().completeExceptionally(cause);
    }

    // ------------------------------------------------------------------------------------ reads

    public synchronized Optional<ReviewItem> item(String itemId) {
        return views.item(itemId);
    }

    public synchronized Optional<Rating> rating(String ratingId) {
        return views.rating(ratingId);
    }

    /** The latest version of each rater's rating of an item. */
    public synchronized List<Rating> ratingsOf(String itemId) {
        return views.ratingsOf(itemId);
    }

    /** A rater's ratings, most recently changed last. */
    public synchronized List<Rating> history(String raterId) {
        return views.history(raterId);
    }

    /** Items matching {@code filter} with the latest version of each of their ratings: the input of aggregates and rounds. */
    public synchronized List<RatedItem> snapshot(Predicate<ReviewItem> filter) {
        return views.snapshot(filter);
    }

    /** Items {@code visible} to the caller waiting for raters, in queue order (fewest raters first, then most uncertain). */
    public synchronized List<ReviewItem> waiting(int limit, Predicate<ReviewItem> visible) {
        return queue.waiting(limit, id -> views.item(id).map(visible::test).orElse(false)).stream()
                .map(id -> views.item(id).orElseThrow()).toList();
    }

    /** Names of the datasets that have review items, sorted. */
    public synchronized List<String> datasets() {
        return views.datasets();
    }

    public synchronized int itemCount() {
        return views.itemCount();
    }

    public synchronized long ratingCount() {
        return views.ratingCount();
    }

    public synchronized int waitingCount() {
        return queue.waitingCount();
    }
}
