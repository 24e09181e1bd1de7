package io.tuneloop.feedback.rating;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-rater token buckets: each rater may write {@code burst} ratings at once and
 * {@code perSecond} per second after that, so one account cannot flood the training data.
 */
public final class RateLimiter {
    private final double perSecond;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }
    }

    public RateLimiter(double perSecond, int burst) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate limit needs perSecond > 0 and burst >= 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** Takes one token; returns 0 when allowed, else the whole seconds until a token is back (at least 1). */
    public long tryAcquire(String raterId, long nowNanos) {
        Bucket bucket = buckets.computeIfAbsent(raterId, id -> new Bucket(burst, nowNanos));
        synchronized (bucket) {
            double refilled = (nowNanos - bucket.updatedNanos) / 1e9 * perSecond;
            bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, refilled));
            bucket.updatedNanos = nowNanos;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perSecond));
        }
    }
}
