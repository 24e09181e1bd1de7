package io.tuneloop.jinja;

import java.time.Duration;

/**
 * What one render may cost: characters produced (including intermediate strings and lists), loop
 * iterations, wall time and macro call depth. A render that exceeds one fails with
 * {@link TemplateException.Kind#LIMIT} instead of exhausting the service.
 */
public record Limits(long maxOutputChars, long maxIterations, Duration maxTime, int maxCallDepth) {
    public Limits {
        if (maxOutputChars < 1 || maxIterations < 1 || maxTime.isNegative() || maxTime.isZero() || maxCallDepth < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** Generous bounds for trusted templates such as a model's chat template. */
    public static Limits standard() {
        return new Limits(64L << 20, 10_000_000, Duration.ofSeconds(30), 200);
    }
}
