package io.tuneloop.feedback;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.feedback.rating.RateLimiter;
import io.tuneloop.feedback.rating.RatingInput;
import io.tuneloop.feedback.rating.RatingRefused;
import io.tuneloop.feedback.rating.RatingRules;
import io.tuneloop.feedback.rating.RatingService;
import io.tuneloop.feedback.review.ReviewBoard;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static io.tuneloop.feedback.Items.T0;
import static io.tuneloop.feedback.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RatingServiceTest {
    private final ReviewBoard board = new ReviewBoard(new ReviewBoard.Settings(3, Duration.ofMinutes(10)));
    private final List<Rating> published = new ArrayList<>();
    private CompletableFuture<Void> broker = CompletableFuture.completedFuture(null);
    private static final Set<String> LABELS = Set.of("helpful", "fails_task", "unsafe", "spam");
    private final RatingRules rules = new RatingRules(LABELS, 100, List.of("v2", "v1"));

    private RatingService service(RateLimiter limiter) {
        return new RatingService(board, rules, limiter, r -> {
            published.add(r);
            return broker;
        }, Clock.fixed(T0, ZoneOffset.UTC));
    }

    @Test
    void aRatingIsAppliedOnlyOnceTheBrokerHasIt() {
        RatingService ratings = service(new RateLimiter(100, 100));
        board.add(item("i1", 0.5));
        board.next("ann", T0);
        broker = new CompletableFuture<>();
        var outcome = ratings.rate("ann", "i1", new RatingInput(4, List.of("helpful"), null, null, null), "k1")
                .toCompletableFuture();
        assertThat(published).hasSize(1);
        assertThat(board.ratingsOf("i1")).isEmpty();
        broker.complete(null);
        assertThat(outcome.join().rating().guidelinesVersion()).isEqualTo("v2"); // the current version by default
        assertThat(board.ratingsOf("i1")).hasSize(1);
    }

    @Test
    void aBrokerFailureIsA503AndTheSameKeyCanRetry() {
        RatingService ratings = service(new RateLimiter(100, 100));
        board.add(item("i1", 0.5));
        board.next("ann", T0);
        broker = CompletableFuture.failedFuture(new RuntimeException("not enough in-sync replicas"));
        assertThatThrownBy(() -> ratings.rate("ann", "i1", new RatingInput(4, null, null, null, null), "k1")
                .toCompletableFuture().join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(RatingRefused.class).hasMessageContaining("not enough in-sync replicas");
        broker = CompletableFuture.completedFuture(null);
        var retried = ratings.rate("ann", "i1", new RatingInput(4, null, null, null, null), "k1").toCompletableFuture().join();
        assertThat(retried.replayed()).isFalse();
        assertThat(board.ratingsOf("i1")).hasSize(1);
    }

    @Test
    void aRaterBeyondTheirShareIsRateLimitedWithRetryAfter() {
        RatingService ratings = service(new RateLimiter(0.5, 2));
        for (int i = 0; i < 3; i++) {
            board.add(item("i" + i, 0.5));
        }
        for (int i = 0; i < 2; i++) {
            String itemId = board.next("ann", T0).orElseThrow().item().itemId();
            ratings.rate("ann", itemId, new RatingInput(3, null, null, null, null), "k" + i).toCompletableFuture().join();
        }
        String itemId = board.next("ann", T0).orElseThrow().item().itemId();
        assertThatThrownBy(() -> ratings.rate("ann", itemId, new RatingInput(3, null, null, null, null), "k9"))
                .isInstanceOfSatisfying(RatingRefused.RateLimited.class, e -> {
                    assertThat(e.retryAfterSeconds()).isEqualTo(2);
                });
        // another rater is not affected
        board.next("bob", T0);
        assertThat(ratings.skip("bob", board.history("bob").isEmpty() ? "i0" : "i1", "s1")).isNotNull();
    }

    @Test
    void theRulesRefuseBadRatingsWithTheirReason() {
        assertThatThrownBy(() -> rules.contentOf("i", new RatingInput(6, null, null, null, null)))
                .hasMessage("likert must be 1..5, was 6");
        assertThatThrownBy(() -> rules.contentOf("i", new RatingInput(3, List.of("great"), null, null, null)))
                .hasMessageContaining("unknown label great");
        assertThatThrownBy(() -> rules.contentOf("i", new RatingInput(3, List.of("spam", "spam"), null, null, null)))
                .hasMessageContaining("must not repeat");
        assertThatThrownBy(() -> rules.contentOf("i", new RatingInput(null, null, "x".repeat(101), null, null)))
                .hasMessageContaining("101 characters; at most 100");
        assertThatThrownBy(() -> rules.contentOf("i", new RatingInput(null, null, null, null, null)))
                .hasMessageContaining("needs a likert score");
        assertThatThrownBy(() -> rules.contentOf("i", new RatingInput(3, null, null, null, "v9")))
                .hasMessageContaining("unknown guidelinesVersion v9");
        assertThatThrownBy(() -> rules.contentOf("i", null)).hasMessageContaining("a JSON body is required");
        assertThat(rules.labels()).isEqualTo(LABELS);
    }

    @Test
    void aBodyNamingTheRaterOrItemOrAnUnknownFieldIsRefused() {
        assertThatThrownBy(() -> RatingInput.parse("{\"likert\": 3, \"raterId\": \"mallory\"}"))
                .hasMessageContaining("raterId is set by the server");
        assertThatThrownBy(() -> RatingInput.parse("{\"likert\": 3, \"itemId\": \"x\"}"))
                .hasMessageContaining("itemId is set by the server");
        assertThatThrownBy(() -> RatingInput.parse("{\"likert\": 3, \"stars\": 5}")).hasMessageContaining("unknown field stars");
        assertThatThrownBy(() -> RatingInput.parse("{\"likert\": \"five\"}")).hasMessageContaining("malformed rating");
        assertThatThrownBy(() -> RatingInput.parse("{\"likert\": 3")).hasMessageContaining("malformed rating");
        assertThatThrownBy(() -> RatingInput.parse("{\"preference\": {\"otherItemId\": \"b\", \"choice\": \"both\"}}"))
                .hasMessageContaining("preference.choice must be one of");
        assertThat(RatingInput.parse("{\"likert\": 3, \"labels\": [\"helpful\"]}").labels()).containsExactly("helpful");
    }
}
