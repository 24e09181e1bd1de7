package io.tuneloop.feedback.rating;

import io.tuneloop.feedback.review.ReviewBoard;

/** A rating request that cannot be accepted, and why (the REST layer says it in HTTP). */
public class RatingRefused extends RuntimeException {
    private final ReviewBoard.Refusal why;

    public RatingRefused(ReviewBoard.Refusal why, String reason) {
        super(reason);
        this.why = why;
    }

    /** Why the board refused it; null for the refusals below, which are not the board's. */
    public ReviewBoard.Refusal why() {
        return why;
    }

    /** The rater sent more than their share; {@code retryAfterSeconds} until the next one is accepted. */
    public static final class RateLimited extends RatingRefused {
        private final long retryAfterSeconds;

        public RateLimited(String raterId, long retryAfterSeconds) {
            super(null, "too many ratings from " + raterId + "; retry after " + retryAfterSeconds + " s");
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** The ratings topic did not take it: nothing changed, the client retries with the same key. */
    public static final class Unavailable extends RatingRefused {
        public Unavailable(String reason) {
            super(null, reason);
        }
    }
}
