package io.tuneloop.feedback.review;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.store.Sha256;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Everything the feedback service knows, built from events, plus the live review queue.
 *
 * <p>Views (rebuilt from the topics after a restart): review items, the latest version of every
 * rating, each rater's history, and which idempotency key created which rating version. Replaying
 * the same events gives the same views; a redelivered event or an older rating version changes nothing.
 *
 * <p>The queue hands each rater the item with the fewest raters (ratings plus open assignments),
 * most uncertain first, never one the rater has already seen, and never to more raters than the
 * overlap. An assignment is a lease: it expires if the rater does not rate or skip in time. Leases
 * live in memory only; after a restart raters simply fetch their next item again.
 *
 * <p>One lock guards everything: every operation is a few map updates, far below the cost of the
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

    /** Refused, with the HTTP status that says why. */
    public record Refused(int status, String reason) implements Admission {
    }

    /** Go ahead: publish {@code rating}, then call {@link #completed} or {@link #failed}. */
    public record Granted(Rating rating, CompletableFuture<Rating> result) implements Admission {
    }

    private record QueueKey(int load, double uncertainty, String itemId) {
        static final Comparator<QueueKey> ORDER = Comparator.comparingInt(QueueKey::load)
                .thenComparing(Comparator.comparingDouble(QueueKey::uncertainty).reversed())
                .thenComparing(QueueKey::itemId);
    }

    private record Lease(String rater, String itemId, Instant expiresAt) {
    }

    private static final class ItemState {
        final ReviewItem item;
        final Map<String, Rating> byRater = new HashMap<>();
        final Map<String, Lease> leases = new HashMap<>();
        QueueKey queued;

        ItemState(ReviewItem item) {
            this.item = item;
        }

        int submitted() {
            int n = 0;
            for (Rating r : byRater.values()) {
                if (r.submitted()) {
                    n++;
                }
            }
            return n;
        }
    }

    private static final class RaterState {
        final Set<String> seen = new HashSet<>();
        final Map<String, Rating> ratings = new LinkedHashMap<>();
        Lease active;
        long rated;
        long skipped;
    }

    private final Settings settings;
    private final Map<String, ItemState> items = new HashMap<>();
    private final Map<String, List<String>> itemsByPrompt = new HashMap<>();
    private final Set<String> datasetNames = new HashSet<>();
    private final Map<String, RaterState> raters = new HashMap<>();
    private final Map<String, Rating> ratings = new HashMap<>();
    /** Ratings whose item has not arrived yet (items and ratings come on different topics). */
    private final Map<String, List<String>> ratingsAwaitingItem = new HashMap<>();
    private final Map<String, Rating> byIdempotencyKey = new HashMap<>();
    private final Map<String, CompletableFuture<Rating>> inFlightKeys = new HashMap<>();
    private final Set<String> inFlightRatings = new HashSet<>();
    private final TreeSet<QueueKey> available = new TreeSet<>(QueueKey.ORDER);
    private final ArrayDeque<Lease> leasesByExpiry = new ArrayDeque<>();

    public ReviewBoard(Settings settings) {
        this.settings = settings;
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
        if (items.containsKey(item.itemId())) {
            return;
        }
        ItemState state = new ItemState(item);
        items.put(item.itemId(), state);
        datasetNames.add(item.dataset());
        itemsByPrompt.computeIfAbsent(promptKey(item), k -> new ArrayList<>()).add(item.itemId());
        for (String ratingId : ratingsAwaitingItem.getOrDefault(item.itemId(), List.of())) {
            Rating rating = ratings.get(ratingId);
            state.byRater.put(rating.raterId(), rating);
        }
        ratingsAwaitingItem.remove(item.itemId());
        requeue(state);
    }

    /** Applies a rating event; returns whether it changed the views (false for a redelivery or an older version). */
    public synchronized boolean add(Rating rating) {
        Rating current = ratings.get(rating.ratingId());
        if (current != null && current.version() >= rating.version()) {
            return false;
        }
        ratings.put(rating.ratingId(), rating);
        if (rating.idempotencyKey() != null) {
            byIdempotencyKey.putIfAbsent(keyOf(rating.raterId(), rating.idempotencyKey()), rating);
        }
        RaterState rater = rater(rating.raterId());
        rater.seen.add(rating.itemId());
        rater.ratings.remove(rating.ratingId()); // history in order of the latest change
        rater.ratings.put(rating.ratingId(), rating);
        count(rater, current, -1);
        count(rater, rating, +1);
        ItemState item = items.get(rating.itemId());
        if (item == null) {
            if (current == null) {
                ratingsAwaitingItem.computeIfAbsent(rating.itemId(), id -> new ArrayList<>()).add(rating.ratingId());
            }
        } else {
            item.byRater.put(rating.raterId(), rating);
            Lease lease = item.leases.remove(rating.raterId());
            if (lease != null && rater.active == lease) {
                rater.active = null;
            }
            requeue(item);
        }
        return true;
    }

    private static void count(RaterState rater, Rating rating, int delta) {
        if (rating == null) {
            return;
        }
        if (rating.submitted()) {
            rater.rated += delta;
        } else {
            rater.skipped += delta;
        }
    }

    // ------------------------------------------------------------------------------------ queue

    /** The rater's next item: their open assignment if they have one, else a new one; empty when nothing is left. */
    public Optional<Assignment> next(String raterId, Instant now) {
        return next(raterId, null, now);
    }

    /** As {@link #next(String, Instant)}, only items of {@code dataset} when it is not null. */
    public synchronized Optional<Assignment> next(String raterId, String dataset, Instant now) {
        expireLeases(now);
        RaterState rater = rater(raterId);
        if (rater.active != null) {
            return Optional.of(assignment(rater.active));
        }
        for (QueueKey key : available) {
            if (rater.seen.contains(key.itemId())) {
                continue;
            }
            ItemState item = items.get(key.itemId());
            if (dataset != null && !dataset.equals(item.item.dataset())) {
                continue;
            }
            Lease lease = new Lease(raterId, key.itemId(), now.plus(settings.leaseTtl()));
            item.leases.put(raterId, lease);
            rater.active = lease;
            rater.seen.add(key.itemId());
            leasesByExpiry.addLast(lease);
            requeue(item); // modifies `available`: leave the loop at once
            return Optional.of(assignment(lease));
        }
        return Optional.empty();
    }

    public synchronized Progress progress(String raterId) {
        RaterState rater = rater(raterId);
        long remaining = available.stream().filter(k -> !rater.seen.contains(k.itemId())).count();
        return new Progress(rater.rated, rater.skipped, remaining + (rater.active == null ? 0 : 1));
    }

    private Assignment assignment(Lease lease) {
        ItemState item = items.get(lease.itemId());
        return new Assignment(item.item, lease.expiresAt(), sibling(item.item).orElse(null));
    }

    /** Another response to the same prompt (another checkpoint's), for a pairwise preference. */
    private Optional<ReviewItem> sibling(ReviewItem item) {
        for (String id : itemsByPrompt.getOrDefault(promptKey(item), List.of())) {
            ReviewItem other = items.get(id).item;
            if (!id.equals(item.itemId()) && !other.response().equals(item.response())) {
                return Optional.of(other);
            }
        }
        return Optional.empty();
    }

    private void expireLeases(Instant now) {
        while (!leasesByExpiry.isEmpty() && !leasesByExpiry.peekFirst().expiresAt().isAfter(now)) {
            Lease lease = leasesByExpiry.removeFirst();
            ItemState item = items.get(lease.itemId());
            if (item.leases.get(lease.rater()) != lease
                    || inFlightRatings.contains(ratingId(lease.rater(), lease.itemId()))) {
                continue; // already rated or skipped, or being published right now
            }
            item.leases.remove(lease.rater());
            RaterState rater = rater(lease.rater());
            if (rater.active == lease) {
                rater.active = null;
            }
            // the rater saw it and let it lapse: it goes to someone else, not back to them
            requeue(item);
        }
    }

    private void requeue(ItemState item) {
        if (item.queued != null) {
            available.remove(item.queued);
            item.queued = null;
        }
        int load = item.submitted() + item.leases.size();
        if (load < settings.overlap()) {
            Double uncertainty = item.item.uncertainty();
            item.queued = new QueueKey(load, uncertainty == null ? 0 : uncertainty, item.item.itemId());
            available.add(item.queued);
        }
    }

    // ------------------------------------------------------------------------------------ submissions

    /**
     * Admits a first rating (or a skip) of an item the rater was assigned. {@code content.itemId()}
     * comes from the path and is checked against the rater's assignment.
     */
    public synchronized Admission admitNew(String raterId, String idempotencyKey, Content content, Instant now) {
        Optional<Admission> repeat = repeated(raterId, idempotencyKey, content);
        if (repeat.isPresent()) {
            return repeat.get();
        }
        expireLeases(now);
        ItemState item = items.get(content.itemId());
        if (item == null) {
            return new Refused(404, "no review item " + content.itemId());
        }
        String ratingId = ratingId(raterId, content.itemId());
        if (ratings.containsKey(ratingId) || inFlightRatings.contains(ratingId)) {
            return new Refused(409, "you already rated item " + content.itemId() + "; change it with PUT /api/v1/ratings/"
                    + ratingId);
        }
        if (!item.leases.containsKey(raterId)) {
            return new Refused(409, "item " + content.itemId()
                    + " is not assigned to you (or the assignment expired); fetch one from /api/v1/queue/next");
        }
        Optional<Refused> badPreference = checkPreference(item, content.preference());
        if (badPreference.isPresent()) {
            return badPreference.get();
        }
        return grant(new Rating(ratingId, 1, content.itemId(), raterId, content.likert(), content.labels(),
                content.correctedResponse(), content.preference(), content.guidelinesVersion(), content.status(),
                idempotencyKey, now), idempotencyKey);
    }

    /** Admits a new version of the rater's own rating {@code ratingId}. */
    public synchronized Admission admitChange(String raterId, String ratingId, String idempotencyKey,
                                              Content content, Instant now) {
        Rating current = ratings.get(ratingId);
        if (current == null) {
            return new Refused(404, "no rating " + ratingId);
        }
        if (!current.raterId().equals(raterId)) {
            return new Refused(403, "rating " + ratingId + " belongs to another rater");
        }
        Content onItem = new Content(current.itemId(), content.status(), content.likert(), content.labels(),
                content.correctedResponse(), content.preference(), content.guidelinesVersion());
        Optional<Admission> repeat = repeated(raterId, idempotencyKey, onItem);
        if (repeat.isPresent()) {
            return repeat.get();
        }
        if (inFlightRatings.contains(ratingId)) {
            return new Refused(409, "rating " + ratingId + " is being changed by another request; retry");
        }
        ItemState item = items.get(current.itemId());
        if (item != null) {
            Optional<Refused> badPreference = checkPreference(item, content.preference());
            if (badPreference.isPresent()) {
                return badPreference.get();
            }
        }
        return grant(new Rating(ratingId, current.version() + 1, current.itemId(), raterId, onItem.likert(),
                onItem.labels(), onItem.correctedResponse(), onItem.preference(), onItem.guidelinesVersion(),
                onItem.status(), idempotencyKey, now), idempotencyKey);
    }

    /** The rating is on the topic: apply it and answer everyone waiting on its key. */
    public void completed(Granted granted) {
        synchronized (this) {
            add(granted.rating());
            release(granted);
        }
        granted.result().complete(granted.rating());
    }

    /** Publishing failed: nothing changed; the client may retry with the same key. */
    public void failed(Granted granted, Throwable cause) {
        synchronized (this) {
            release(granted);
        }
        granted.result().completeExceptionally(cause);
    }

    private void release(Granted granted) {
        inFlightRatings.remove(granted.rating().ratingId());
        if (granted.rating().idempotencyKey() != null) {
            inFlightKeys.remove(keyOf(granted.rating().raterId(), granted.rating().idempotencyKey()));
        }
    }

    private Admission grant(Rating rating, String idempotencyKey) {
        CompletableFuture<Rating> result = new CompletableFuture<>();
        inFlightRatings.add(rating.ratingId());
        if (idempotencyKey != null) {
            inFlightKeys.put(keyOf(rating.raterId(), idempotencyKey), result);
        }
        return new Granted(rating, result);
    }

    private Optional<Admission> repeated(String raterId, String idempotencyKey, Content content) {
        if (idempotencyKey == null) {
            return Optional.empty();
        }
        String key = keyOf(raterId, idempotencyKey);
        Rating earlier = byIdempotencyKey.get(key);
        if (earlier != null) {
            if (!Content.of(earlier).equals(content)) {
                return Optional.of(new Refused(422, "Idempotency-Key " + idempotencyKey
                        + " was already used for a different rating; use a new key for a new rating"));
            }
            return Optional.of(new Replay(earlier));
        }
        CompletableFuture<Rating> inFlight = inFlightKeys.get(key);
        return inFlight == null ? Optional.empty() : Optional.of(new InFlight(inFlight));
    }

    private Optional<Refused> checkPreference(ItemState item, Rating.Preference preference) {
        if (preference == null) {
            return Optional.empty();
        }
        ItemState other = items.get(preference.otherItemId());
        if (other == null || preference.otherItemId().equals(item.item.itemId())) {
            return Optional.of(new Refused(400, "preference.otherItemId must name another review item, was "
                    + preference.otherItemId()));
        }
        if (!promptKey(other.item).equals(promptKey(item.item))) {
            return Optional.of(new Refused(400, "a preference compares two responses to the same prompt; item "
                    + preference.otherItemId() + " answers a different prompt"));
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------------------------ reads

    public synchronized Optional<ReviewItem> item(String itemId) {
        ItemState state = items.get(itemId);
        return state == null ? Optional.empty() : Optional.of(state.item);
    }

    public synchronized Optional<Rating> rating(String ratingId) {
        return Optional.ofNullable(ratings.get(ratingId));
    }

    /** The latest version of each rater's rating of an item. */
    public synchronized List<Rating> ratingsOf(String itemId) {
        ItemState state = items.get(itemId);
        if (state == null) {
            return List.of();
        }
        return state.byRater.values().stream().sorted(Comparator.comparing(Rating::raterId)).toList();
    }

    /** A rater's ratings, most recently changed last. */
    public synchronized List<Rating> history(String raterId) {
        RaterState rater = raters.get(raterId);
        return rater == null ? List.of() : List.copyOf(rater.ratings.values());
    }

    /** Items matching {@code filter} with the latest version of each of their ratings: the input of aggregates and rounds. */
    public synchronized List<RatedItem> snapshot(Predicate<ReviewItem> filter) {
        List<RatedItem> result = new ArrayList<>();
        for (ItemState state : items.values()) {
            if (filter.test(state.item)) {
                result.add(new RatedItem(state.item, List.copyOf(state.byRater.values())));
            }
        }
        result.sort(Comparator.comparing(r -> r.item().itemId()));
        return result;
    }

    /** Items waiting for raters, in queue order (fewest raters first, then most uncertain). */
    public synchronized List<ReviewItem> waiting(int limit) {
        return available.stream().limit(limit).map(k -> items.get(k.itemId()).item).toList();
    }

    /** Names of the datasets that have review items, sorted. */
    public synchronized List<String> datasets() {
        return List.copyOf(new TreeSet<>(datasetNames));
    }

    public synchronized int itemCount() {
        return items.size();
    }

    public synchronized long ratingCount() {
        return ratings.size();
    }

    public synchronized int waitingCount() {
        return available.size();
    }

    private RaterState rater(String raterId) {
        return raters.computeIfAbsent(raterId, id -> new RaterState());
    }

    private static String keyOf(String raterId, String idempotencyKey) {
        return raterId + "\n" + idempotencyKey;
    }

    private static String promptKey(ReviewItem item) {
        return item.dataset() + "\n" + item.prompt();
    }
}
