package io.tuneloop.feedback.rating;

/** A rating request that cannot be accepted, with the HTTP status that says why. */
public class RatingRefused extends RuntimeException {
    private final int status;

    public RatingRefused(int status, String reason) {
        super(reason);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** 429: the rater sent more than their share; {@code retryAfterSeconds} until the next one is accepted. */
    public static final class RateLimited extends RatingRefused {
        private final long retryAfterSeconds;

        public RateLimited(String raterId, long retryAfterSeconds) {
            super(429, "too many ratings from " + raterId + "; retry after " + retryAfterSeconds + " s");
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}
