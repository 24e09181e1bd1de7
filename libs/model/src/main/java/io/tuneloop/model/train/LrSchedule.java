package io.tuneloop.model.train;

/**
 * Learning rate as a pure function of the step, so a resumed run follows exactly the schedule of an
 * uninterrupted one: linear warmup, then constant or cosine decay to {@code minRatio} of the peak.
 */
public record LrSchedule(double peak, long warmupSteps, long totalSteps, Shape shape, double minRatio) {
    public enum Shape { CONSTANT, COSINE }

    public static LrSchedule constant(double lr) {
        return new LrSchedule(lr, 0, 1, Shape.CONSTANT, 1);
    }

    public static LrSchedule cosine(double peak, long warmupSteps, long totalSteps, double minRatio) {
        return new LrSchedule(peak, warmupSteps, totalSteps, Shape.COSINE, minRatio);
    }

    /** The rate for optimizer step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (shape == Shape.CONSTANT) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return peak * (minRatio + (1 - minRatio) * cosine);
    }
}
