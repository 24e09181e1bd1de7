package io.tuneloop.feedback.agreement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Krippendorff's alpha: how much raters agree beyond chance, for any number of raters, with missing
 * ratings, on nominal, ordinal or interval scales. alpha = 1 - D_o / D_e, where D_o is the observed
 * disagreement between ratings of the same item and D_e the disagreement expected from the pooled
 * ratings (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011). 1 is perfect
 * agreement, 0 is chance; below ~0.67 ratings are not reliable enough to train on.
 */
public final class KrippendorffAlpha {
    /** How far apart two values are. */
    public enum Scale { NOMINAL, ORDINAL, INTERVAL }

    private KrippendorffAlpha() {
    }

    /**
     * @param items each item's ratings (one per rater who rated it; items with fewer than 2 are ignored)
     * @return alpha, or NaN when fewer than two items are pairable or all ratings are equal
     */
    public static double of(List<List<Double>> items, Scale scale) {
        List<List<Double>> pairable = new ArrayList<>();
        for (List<Double> ratings : items) {
            if (ratings.size() >= 2) {
                pairable.add(ratings);
            }
        }
        Map<Double, Double> frequency = new TreeMap<>(); // n_c: how often each value was given (pairable values)
        long n = 0;
        for (List<Double> ratings : pairable) {
            for (double r : ratings) {
                frequency.merge(r, 1.0, Double::sum);
                n++;
            }
        }
        if (n < 2 || frequency.size() < 2) {
            return Double.NaN;
        }
        double observed = 0;
        for (List<Double> ratings : pairable) {
            int m = ratings.size();
            double sum = 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    if (i != j) {
                        sum += distance(ratings.get(i), ratings.get(j), scale, frequency);
                    }
                }
            }
            observed += sum / (m - 1);
        }
        observed /= n;
        double expected = 0;
        List<Map.Entry<Double, Double>> values = new ArrayList<>(frequency.entrySet());
        for (var c : values) {
            for (var k : values) {
                expected += c.getValue() * k.getValue() * distance(c.getKey(), k.getKey(), scale, frequency);
            }
        }
        expected /= (double) n * (n - 1);
        return 1 - observed / expected;
    }

    /** The squared difference function δ² of the scale. */
    static double distance(double c, double k, Scale scale, Map<Double, Double> frequency) {
        if (c == k) {
            return 0;
        }
        return switch (scale) {
            case NOMINAL -> 1;
            case INTERVAL -> (c - k) * (c - k);
            case ORDINAL -> {
                // (sum of the frequencies of the ranks from c to k) - (n_c + n_k) / 2, squared
                double low = Math.min(c, k);
                double high = Math.max(c, k);
                double between = 0;
                for (var value : frequency.entrySet()) {
                    if (value.getKey() >= low && value.getKey() <= high) {
                        between += value.getValue();
                    }
                }
                double d = between - (frequency.get(c) + frequency.get(k)) / 2;
                yield d * d;
            }
        };
    }
}
