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
        Pool pool = Pool.of(items, scale);
        if (pool == null) {
            return Double.NaN;
        }
        double observed = 0;
        for (List<Double> ratings : items) {
            if (ratings.size() >= 2) {
                observed += pool.pairSum(ratings) / (ratings.size() - 1);
            }
        }
        observed /= pool.n;
        return 1 - observed / pool.expected;
    }

    /**
     * Each item's own alpha: 1 - (its mean pairwise disagreement) / (the disagreement expected from
     * all ratings). Items where raters agree score 1; items rated further apart than two random
     * ratings score below 0. NaN for items with fewer than two ratings, or when alpha is undefined.
     */
    public static double[] perItem(List<List<Double>> items, Scale scale) {
        double[] alphas = new double[items.size()];
        Pool pool = Pool.of(items, scale);
        for (int i = 0; i < alphas.length; i++) {
            List<Double> ratings = items.get(i);
            int m = ratings.size();
            alphas[i] = pool == null || m < 2 ? Double.NaN : 1 - pool.pairSum(ratings) / (m * (m - 1.0)) / pool.expected;
        }
        return alphas;
    }

    /** The pooled values of all pairable items and the disagreement expected between two of them. */
    private record Pool(Scale scale, Map<Double, Double> frequency, long n, double expected) {
        static Pool of(List<List<Double>> items, Scale scale) {
            Map<Double, Double> frequency = new TreeMap<>(); // n_c: how often each value was given (pairable values)
            long n = 0;
            for (List<Double> ratings : items) {
                if (ratings.size() >= 2) {
                    for (double r : ratings) {
                        frequency.merge(r, 1.0, Double::sum);
                        n++;
                    }
                }
            }
            if (n < 2 || frequency.size() < 2) {
                return null;
            }
            double expected = 0;
            List<Map.Entry<Double, Double>> values = new ArrayList<>(frequency.entrySet());
            for (var c : values) {
                for (var k : values) {
                    expected += c.getValue() * k.getValue() * distance(c.getKey(), k.getKey(), scale, frequency);
                }
            }
            return new Pool(scale, frequency, n, expected / ((double) n * (n - 1)));
        }

        /** Sum of δ² over ordered pairs of different raters' values of one item. */
        double pairSum(List<Double> ratings) {
            double sum = 0;
            for (int i = 0; i < ratings.size(); i++) {
                for (int j = 0; j < ratings.size(); j++) {
                    if (i != j) {
                        sum += distance(ratings.get(i), ratings.get(j), scale, frequency);
                    }
                }
            }
            return sum;
        }
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
