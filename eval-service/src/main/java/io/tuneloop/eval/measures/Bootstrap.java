package io.tuneloop.eval.measures;

import java.util.Arrays;
import java.util.Random;

/**
 * Paired bootstrap over prompts: is checkpoint B better than A on this suite, or is the difference
 * noise? Resamples the prompts with replacement and reports the mean difference with a 95%
 * percentile interval; an interval that excludes 0 is called significant.
 */
public final class Bootstrap {
    /**
     * @param meanDifference mean of B - A over the prompts
     * @param low            2.5th percentile of the resampled mean difference
     * @param high           97.5th percentile
     * @param significant    the interval excludes 0
     */
    public record Interval(double meanDifference, double low, double high, boolean significant) {
    }

    private Bootstrap() {
    }

    /** {@code a[i]} and {@code b[i]} score the same prompt i. */
    public static Interval pairedDifference(double[] a, double[] b, int resamples, long seed) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("paired scores of equal, non-zero length are needed");
        }
        int n = a.length;
        double[] difference = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            difference[i] = b[i] - a[i];
            mean += difference[i] / n;
        }
        Random random = new Random(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += difference[random.nextInt(n)];
            }
            means[r] = sum / n;
        }
        Arrays.sort(means);
        double low = means[(int) Math.floor(0.025 * (resamples - 1))];
        double high = means[(int) Math.ceil(0.975 * (resamples - 1))];
        return new Interval(mean, low, high, low > 0 || high < 0);
    }
}
