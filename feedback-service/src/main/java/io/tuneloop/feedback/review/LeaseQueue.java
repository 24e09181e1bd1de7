package io.tuneloop.feedback.review;

import io.tuneloop.events.payload.ReviewItem;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The live review queue: it hands each rater the item with the fewest raters (submitted ratings
 * plus open assignments), most uncertain first, never one the rater has already seen, and never to
 * more raters than the overlap. An assignment is a lease that expires if the rater neither rates nor
 * skips in time; the item then goes to someone else, not back to them. Leases live in memory only:
 * after a restart raters simply fetch again. Not thread-safe: the {@link ReviewBoard} holds its lock.
 */
final class LeaseQueue {
    /** An open assignment. */
    record Lease(String rater, String itemId, Instant expiresAt) {
    }

    private record QueueKey(int load, double uncertainty, String itemId) {
        static final Comparator<QueueKey> ORDER = Comparator.comparingInt(QueueKey::load)
                .thenComparing(Comparator.comparingDouble(QueueKey::uncertainty).reversed())
                .thenComparing(QueueKey::itemId);
    }

    private final ReviewBoard.Settings settings;
    private final ReviewViews views;
    private final Map<String, Map<String, Lease>> leasesByItem = new HashMap<>();
    private final Map<String, QueueKey> queued = new HashMap<>();
    private final Map<String, Lease> activeByRater = new HashMap<>();
    private final Map<String, Set<String>> seenByRater = new HashMap<>();
    private final TreeSet<QueueKey> available = new TreeSet<>(QueueKey.ORDER);
    private final ArrayDeque<Lease> byExpiry = new ArrayDeque<>();

    LeaseQueue(ReviewBoard.Settings settings, ReviewViews views) {
        this.settings = settings;
        this.views = views;
    }

    /** Puts the item back in line by its current load (or out of it, once it has enough raters). */
    void requeue(ReviewItem item) {
        QueueKey old = queued.remove(item.itemId());
        if (old != null) {
            available.remove(old);
        }
        int load = views.submitted(item.itemId()) + leasesByItem.getOrDefault(item.itemId(), Map.of()).size();
        if (load < settings.overlap()) {
            Double uncertainty = item.uncertainty();
            QueueKey key = new QueueKey(load, uncertainty == null ? 0 : uncertainty, item.itemId());
            queued.put(item.itemId(), key);
            available.add(key);
        }
    }

    /** The rater rated or skipped the item: their lease on it ends, and it is never theirs again. */
    void rated(String rater, String itemId) {
        seen(rater).add(itemId);
        Map<String, Lease> leases = leasesByItem.get(itemId);
        Lease lease = leases == null ? null : leases.remove(rater);
        if (lease != null && activeByRater.get(rater) == lease) {
            activeByRater.remove(rater);
        }
    }

    boolean assigned(String rater, String itemId) {
        return leasesByItem.getOrDefault(itemId, Map.of()).containsKey(rater);
    }

    /** The rater's open lease, or a new one on the first item in line they have not seen and that {@code accept} takes. */
    Optional<Lease> next(String rater, Predicate<ReviewItem> accept, Instant now) {
        Lease active = activeByRater.get(rater);
        if (active != null) {
            return Optional.of(active);
        }
        Set<String> seen = seen(rater);
        for (QueueKey key : available) {
            ReviewItem item = views.item(key.itemId()).orElseThrow();
            if (seen.contains(key.itemId()) || !accept.test(item)) {
                continue;
            }
            Lease lease = new Lease(rater, key.itemId(), now.plus(settings.leaseTtl()));
            leasesByItem.computeIfAbsent(key.itemId(), id -> new HashMap<>()).put(rater, lease);
            activeByRater.put(rater, lease);
            seen.add(key.itemId());
            byExpiry.addLast(lease);
            requeue(item); // modifies `available`: leave the loop at once
            return Optional.of(lease);
        }
        return Optional.empty();
    }

    /** Ends the leases that expired by {@code now}, except those {@code pinned} (a rating of them is being published). */
    void expire(Instant now, Predicate<Lease> pinned) {
        while (!byExpiry.isEmpty() && !byExpiry.peekFirst().expiresAt().isAfter(now)) {
            Lease lease = byExpiry.removeFirst();
            Map<String, Lease> leases = leasesByItem.get(lease.itemId());
            if (leases == null || leases.get(lease.rater()) != lease || pinned.test(lease)) {
                continue; // already rated or skipped, or being published right now
            }
            leases.remove(lease.rater());
            if (activeByRater.get(lease.rater()) == lease) {
                activeByRater.remove(lease.rater());
            }
            requeue(views.item(lease.itemId()).orElseThrow()); // to someone else, not back to this rater
        }
    }

    /** Items in line the rater has not seen, plus their open assignment. */
    long remaining(String rater, java.util.function.Predicate<String> visibleItem) {
        Set<String> seen = seen(rater);
        long unseen = available.stream().filter(k -> !seen.contains(k.itemId()) && visibleItem.test(k.itemId())).count();
        return unseen + (activeByRater.containsKey(rater) ? 1 : 0);
    }

    /** Items waiting for raters, in line order. */
    List<String> waiting(int limit, java.util.function.Predicate<String> visibleItem) {
        return available.stream().map(QueueKey::itemId).filter(visibleItem).limit(limit).toList();
    }

    int waitingCount() {
        return available.size();
    }

    private Set<String> seen(String rater) {
        return seenByRater.computeIfAbsent(rater, r -> new HashSet<>());
    }
}
