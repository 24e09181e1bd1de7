package io.tuneloop.feedback.agreement;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.feedback.review.RatedItem;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Aggregates and agreement over rated items: what the reviewer pages and the round policy read. */
public final class RatingStats {
    private RatingStats() {
    }

    /**
     * Totals of one group of items (a checkpoint, a task, everything).
     *
     * @param alphaOrdinal  Krippendorff's alpha of the Likert scores, ordinal scale (NaN → null when undefined)
     * @param alphaInterval the same on the interval scale
     */
    public record Group(String group, long items, long ratedItems, long ratings, long skips, Double meanLikert,
                        Map<String, Long> labels, long corrections, long preferences, Double alphaOrdinal,
                        Double alphaInterval) {
    }

    /** One item's agreement: its scores, their spread and its own alpha against the pooled ratings. */
    public record ItemAgreement(String itemId, String checkpointId, String task, List<Integer> likert, Double mean,
                                Integer spread, Double alpha) {
    }

    /** Overall agreement and each rated item's. */
    public record Agreement(long items, long ratings, Double alphaOrdinal, Double alphaInterval,
                            List<ItemAgreement> perItem) {
    }

    public static List<Group> groups(List<RatedItem> items, Function<ReviewItem, String> key) {
        Map<String, List<RatedItem>> byGroup = new TreeMap<>();
        for (RatedItem item : items) {
            byGroup.computeIfAbsent(key.apply(item.item()), k -> new ArrayList<>()).add(item);
        }
        List<Group> groups = new ArrayList<>();
        byGroup.forEach((name, members) -> groups.add(group(name, members)));
        return groups;
    }

    public static Group group(String name, List<RatedItem> items) {
        long ratedItems = 0;
        long ratings = 0;
        long skips = 0;
        long corrections = 0;
        long preferences = 0;
        double likertSum = 0;
        long likertCount = 0;
        Map<String, Long> labels = new TreeMap<>();
        List<List<Double>> scores = new ArrayList<>();
        for (RatedItem item : items) {
            if (item.submittedCount() > 0) {
                ratedItems++;
            }
            for (Rating r : item.ratings()) {
                if (!r.submitted()) {
                    skips++;
                    continue;
                }
                ratings++;
                if (r.likert() != null) {
                    likertSum += r.likert();
                    likertCount++;
                }
                r.labels().forEach(l -> labels.merge(l, 1L, Long::sum));
                if (r.correctedResponse() != null) {
                    corrections++;
                }
                if (r.preference() != null) {
                    preferences++;
                }
            }
            scores.add(item.likertScores());
        }
        return new Group(name, items.size(), ratedItems, ratings, skips,
                likertCount == 0 ? null : likertSum / likertCount, labels, corrections, preferences,
                finite(KrippendorffAlpha.of(scores, KrippendorffAlpha.Scale.ORDINAL)),
                finite(KrippendorffAlpha.of(scores, KrippendorffAlpha.Scale.INTERVAL)));
    }

    /** Agreement of the items with at least two Likert scores. */
    public static Agreement agreement(List<RatedItem> items) {
        List<RatedItem> pairable = items.stream().filter(i -> i.likertScores().size() >= 2).toList();
        List<List<Double>> scores = pairable.stream().map(RatedItem::likertScores).toList();
        double[] alphas = KrippendorffAlpha.perItem(scores, KrippendorffAlpha.Scale.ORDINAL);
        List<ItemAgreement> perItem = new ArrayList<>();
        long ratings = 0;
        for (int i = 0; i < pairable.size(); i++) {
            List<Double> s = scores.get(i);
            ratings += s.size();
            double mean = s.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            int spread = (int) (s.stream().mapToDouble(Double::doubleValue).max().orElse(0)
                    - s.stream().mapToDouble(Double::doubleValue).min().orElse(0));
            ReviewItem item = pairable.get(i).item();
            perItem.add(new ItemAgreement(item.itemId(), item.checkpointId(), item.task(),
                    s.stream().map(Double::intValue).toList(), mean, spread, finite(alphas[i])));
        }
        return new Agreement(pairable.size(), ratings, finite(KrippendorffAlpha.of(scores, KrippendorffAlpha.Scale.ORDINAL)),
                finite(KrippendorffAlpha.of(scores, KrippendorffAlpha.Scale.INTERVAL)), perItem);
    }

    /** JSON has no NaN: undefined becomes null. */
    static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
