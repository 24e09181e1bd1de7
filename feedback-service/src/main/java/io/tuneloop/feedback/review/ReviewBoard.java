package io.tuneloop.feedback.review;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The feedback views, built only from events: review items waiting for raters, and the latest
 * version of each rating. Replaying the same events gives the same views; a redelivered event or
 * an older rating version changes nothing.
 */
public final class ReviewBoard {
    private final Map<String, ReviewItem> items = new HashMap<>();
    /** itemId -> ratingId -> latest version */
    private final Map<String, Map<String, Rating>> ratings = new HashMap<>();

    public synchronized void add(ReviewItem item) {
        items.putIfAbsent(item.itemId(), item);
    }

    public synchronized void add(Rating rating) {
        ratings.computeIfAbsent(rating.itemId(), id -> new HashMap<>())
                .merge(rating.ratingId(), rating, (old, now) -> now.version() > old.version() ? now : old);
    }

    public synchronized Optional<ReviewItem> item(String itemId) {
        return Optional.ofNullable(items.get(itemId));
    }

    /** Items with the fewest ratings first, then the most uncertain, up to {@code limit}. */
    public synchronized List<ReviewItem> queue(int limit) {
        List<ReviewItem> all = new ArrayList<>(items.values());
        all.sort(Comparator.<ReviewItem>comparingInt(i -> ratingsOf(i.itemId()).size())
                .thenComparing(i -> -(i.uncertainty() == null ? 0 : i.uncertainty()))
                .thenComparing(ReviewItem::itemId));
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    public synchronized Collection<Rating> ratingsOf(String itemId) {
        return List.copyOf(ratings.getOrDefault(itemId, Map.of()).values());
    }

    public synchronized int itemCount() {
        return items.size();
    }

    public synchronized long ratingCount() {
        return ratings.values().stream().mapToLong(Map::size).sum();
    }
}
