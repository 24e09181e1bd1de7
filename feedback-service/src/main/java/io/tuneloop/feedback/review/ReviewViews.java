package io.tuneloop.feedback.review;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;

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
import java.util.function.Predicate;

/**
 * The projection of the review-items and ratings topics: every item, the latest version of every
 * rating, each rater's history and counts, and which idempotency key created which rating.
 * Replaying the same events in any order gives the same views; a redelivered event or an older
 * rating version changes nothing. Not thread-safe: the {@link ReviewBoard} holds its lock.
 */
final class ReviewViews {
    private static final class ItemView {
        final ReviewItem item;
        final Map<String, Rating> byRater = new HashMap<>();

        ItemView(ReviewItem item) {
            this.item = item;
        }
    }

    private static final class RaterView {
        final Map<String, Rating> ratings = new LinkedHashMap<>();
        long rated;
        long skipped;
    }

    private final Map<String, ItemView> items = new HashMap<>();
    private final Map<String, List<String>> itemsByPrompt = new HashMap<>();
    private final Set<String> datasets = new HashSet<>();
    private final Map<String, RaterView> raters = new HashMap<>();
    private final Map<String, Rating> ratings = new HashMap<>();
    /** Ratings whose item has not arrived yet (items and ratings come on different topics). */
    private final Map<String, List<String>> ratingsAwaitingItem = new HashMap<>();
    private final Map<String, Rating> byIdempotencyKey = new HashMap<>();

    /** Adds an item; false when it is known already. */
    boolean add(ReviewItem item) {
        if (items.containsKey(item.itemId())) {
            return false;
        }
        ItemView view = new ItemView(item);
        items.put(item.itemId(), view);
        datasets.add(item.dataset());
        itemsByPrompt.computeIfAbsent(promptKey(item), k -> new ArrayList<>()).add(item.itemId());
        for (String ratingId : ratingsAwaitingItem.getOrDefault(item.itemId(), List.of())) {
            Rating rating = ratings.get(ratingId);
            view.byRater.put(rating.raterId(), rating);
        }
        ratingsAwaitingItem.remove(item.itemId());
        return true;
    }

    /** Applies a rating; false for a redelivery or an older version. */
    boolean add(Rating rating) {
        Rating current = ratings.get(rating.ratingId());
        if (current != null && current.version() >= rating.version()) {
            return false;
        }
        ratings.put(rating.ratingId(), rating);
        if (rating.idempotencyKey() != null) {
            byIdempotencyKey.putIfAbsent(keyOf(rating.raterId(), rating.idempotencyKey()), rating);
        }
        RaterView rater = raters.computeIfAbsent(rating.raterId(), id -> new RaterView());
        rater.ratings.remove(rating.ratingId()); // history in order of the latest change
        rater.ratings.put(rating.ratingId(), rating);
        count(rater, current, -1);
        count(rater, rating, +1);
        ItemView item = items.get(rating.itemId());
        if (item == null) {
            if (current == null) {
                ratingsAwaitingItem.computeIfAbsent(rating.itemId(), id -> new ArrayList<>()).add(rating.ratingId());
            }
        } else {
            item.byRater.put(rating.raterId(), rating);
        }
        return true;
    }

    private static void count(RaterView rater, Rating rating, int delta) {
        if (rating == null) {
            return;
        }
        if (rating.submitted()) {
            rater.rated += delta;
        } else {
            rater.skipped += delta;
        }
    }

    Optional<ReviewItem> item(String itemId) {
        ItemView view = items.get(itemId);
        return view == null ? Optional.empty() : Optional.of(view.item);
    }

    /** Submitted ratings of the item (skips do not count towards its overlap). */
    int submitted(String itemId) {
        ItemView view = items.get(itemId);
        return view == null ? 0 : (int) view.byRater.values().stream().filter(Rating::submitted).count();
    }

    Optional<Rating> rating(String ratingId) {
        return Optional.ofNullable(ratings.get(ratingId));
    }

    /** The rating an idempotency key of a rater created, if one did. */
    Optional<Rating> byKey(String raterId, String idempotencyKey) {
        return Optional.ofNullable(byIdempotencyKey.get(keyOf(raterId, idempotencyKey)));
    }

    List<Rating> ratingsOf(String itemId) {
        ItemView view = items.get(itemId);
        return view == null ? List.of()
                : view.byRater.values().stream().sorted(Comparator.comparing(Rating::raterId)).toList();
    }

    List<Rating> history(String raterId) {
        RaterView rater = raters.get(raterId);
        return rater == null ? List.of() : List.copyOf(rater.ratings.values());
    }

    long rated(String raterId) {
        RaterView rater = raters.get(raterId);
        return rater == null ? 0 : rater.rated;
    }

    long skipped(String raterId) {
        RaterView rater = raters.get(raterId);
        return rater == null ? 0 : rater.skipped;
    }

    /** Another response to the same prompt (another checkpoint's), for a pairwise preference. */
    Optional<ReviewItem> sibling(ReviewItem item) {
        for (String id : itemsByPrompt.getOrDefault(promptKey(item), List.of())) {
            ReviewItem other = items.get(id).item;
            if (!id.equals(item.itemId()) && !other.response().equals(item.response())) {
                return Optional.of(other);
            }
        }
        return Optional.empty();
    }

    List<RatedItem> snapshot(Predicate<ReviewItem> filter) {
        List<RatedItem> result = new ArrayList<>();
        for (ItemView view : items.values()) {
            if (filter.test(view.item)) {
                result.add(new RatedItem(view.item, List.copyOf(view.byRater.values())));
            }
        }
        result.sort(Comparator.comparing(r -> r.item().itemId()));
        return result;
    }

    List<String> datasets() {
        return List.copyOf(new TreeSet<>(datasets));
    }

    int itemCount() {
        return items.size();
    }

    long ratingCount() {
        return ratings.size();
    }

    static boolean samePrompt(ReviewItem a, ReviewItem b) {
        return promptKey(a).equals(promptKey(b));
    }

    private static String keyOf(String raterId, String idempotencyKey) {
        return raterId + "\n" + idempotencyKey;
    }

    private static String promptKey(ReviewItem item) {
        return item.dataset() + "\n" + item.prompt();
    }
}
