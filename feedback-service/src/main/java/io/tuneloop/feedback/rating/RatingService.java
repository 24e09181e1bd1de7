package io.tuneloop.feedback.rating;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.feedback.review.ReviewBoard;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Takes ratings, skips and changes from authenticated raters. A rating counts only once the
 * ratings topic has it: it is published first and applied to the views when the broker has
 * acknowledged it, so a 201 means durable and a failure changes nothing (the client retries with
 * the same idempotency key and gets exactly one rating).
 */
public final class RatingService {
    /** Sends a rating to the ratings topic; completes when the broker has it (acks=all). */
    @FunctionalInterface
    public interface Publisher extends Function<Rating, CompletionStage<Void>> {
    }

    /** The stored rating, and whether it was created earlier by the same idempotency key. */
    public record Outcome(Rating rating, boolean replayed) {
    }

    private final ReviewBoard board;
    private final RatingRules rules;
    private final RateLimiter limiter;
    private final Publisher publisher;
    private final Clock clock;

    public RatingService(ReviewBoard board, RatingRules rules, RateLimiter limiter, Publisher publisher, Clock clock) {
        this.board = board;
        this.rules = rules;
        this.limiter = limiter;
        this.publisher = publisher;
        this.clock = clock;
    }

    public CompletionStage<Outcome> rate(String raterId, String itemId, RatingInput input, String idempotencyKey) {
        limit(raterId);
        ReviewBoard.Content content = rules.contentOf(itemId, input);
        return run(board.admitNew(raterId, checkKey(idempotencyKey), content, clock.instant()));
    }

    public CompletionStage<Outcome> skip(String raterId, String itemId, String idempotencyKey) {
        limit(raterId);
        return run(board.admitNew(raterId, checkKey(idempotencyKey), rules.skipOf(itemId), clock.instant()));
    }

    public CompletionStage<Outcome> change(String raterId, String ratingId, RatingInput input, String idempotencyKey) {
        limit(raterId);
        ReviewBoard.Content content = rules.contentOf(null, input);
        return run(board.admitChange(raterId, ratingId, checkKey(idempotencyKey), content, clock.instant()));
    }

    private void limit(String raterId) {
        long retryAfter = limiter.tryAcquire(raterId, System.nanoTime());
        if (retryAfter > 0) {
            throw new RatingRefused.RateLimited(raterId, retryAfter);
        }
    }

    private static String checkKey(String key) {
        if (key != null && (key.isBlank() || key.length() > 128)) {
            throw new IllegalArgumentException("Idempotency-Key must be 1..128 characters");
        }
        return key;
    }

    private CompletionStage<Outcome> run(ReviewBoard.Admission admission) {
        if (admission instanceof ReviewBoard.Replay replay) {
            return CompletableFuture.completedFuture(new Outcome(replay.rating(), true));
        }
        if (admission instanceof ReviewBoard.InFlight inFlight) {
            return inFlight.result().thenApply(r -> new Outcome(r, true));
        }
        if (admission instanceof ReviewBoard.Refused refused) {
            return CompletableFuture.failedFuture(new RatingRefused(refused.why(), refused.reason()));
        }
        return publish((ReviewBoard.Granted) admission);
    }

    private CompletionStage<Outcome> publish(ReviewBoard.Granted granted) {
        CompletionStage<Void> sent;
        try {
            sent = publisher.apply(granted.rating());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((ok, error) -> {
            if (error != null) {
                board.failed(granted, error);
                throw new RatingRefused.Unavailable("the rating could not be stored (" + rootMessage(error)
                        + "); retry with the same Idempotency-Key");
            }
            board.completed(granted);
            return new Outcome(granted.rating(), false);
        });
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
