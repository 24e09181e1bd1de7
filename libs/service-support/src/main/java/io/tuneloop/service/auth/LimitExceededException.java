package io.tuneloop.service.auth;

import java.time.Duration;

/** A caller used up an allowance: 429 with Retry-After (see {@link io.tuneloop.service.rest.ErrorMappers}). */
public class LimitExceededException extends RuntimeException {
    private final Duration retryAfter;

    public LimitExceededException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** Whole seconds, at least 1. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
