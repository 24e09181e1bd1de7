package io.tuneloop.feedback;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.feedback.review.ReviewBoard;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.tuneloop.feedback.Items.T0;
import static io.tuneloop.feedback.Items.item;
import static org.assertj.core.api.Assertions.assertThat;

class ReviewBoardTest {
    private final ReviewBoard board = new ReviewBoard(new ReviewBoard.Settings(2, Duration.ofMinutes(10)));

    private static ReviewBoard.Content likert(String itemId, int score) {
        return new ReviewBoard.Content(itemId, Rating.SUBMITTED, score, List.of(), null, null, "v1");
    }

    /** Fetches and rates the next item as {@code rater}; returns its id or null when nothing is left. */
    private String rateNext(String rater, int score, Instant now) {
        var assignment = board.next(rater, now);
        if (assignment.isEmpty()) {
            return null;
        }
        String itemId = assignment.get().item().itemId();
        var admission = board.admitNew(rater, rater + "-" + itemId, likert(itemId, score), now);
        assertThat(admission).isInstanceOf(ReviewBoard.Granted.class);
        board.completed((ReviewBoard.Granted) admission);
        return itemId;
    }

    @Test
    void eachItemGoesToOverlapRatersAndNeverTwiceToTheSameOne() {
        for (int i = 0; i < 10; i++) {
            board.add(item("item-" + i, i / 10.0));
        }
        Map<String, Set<String>> ratersOfItem = new HashMap<>();
        List<String> raters = List.of("ann", "bob", "cid", "dan", "eve");
        boolean progress = true;
        while (progress) {
            progress = false;
            for (String rater : raters) {
                String itemId = rateNext(rater, 4, T0);
                if (itemId != null) {
                    progress = true;
                    assertThat(ratersOfItem.computeIfAbsent(itemId, k -> new HashSet<>()).add(rater))
                            .as("%s got %s twice", rater, itemId).isTrue();
                }
            }
        }
        assertThat(ratersOfItem).hasSize(10);
        assertThat(ratersOfItem.values()).allSatisfy(r -> assertThat(r).hasSize(2));
        assertThat(board.waitingCount()).isZero();
    }

    @Test
    void theMostUncertainOfTheLeastRatedItemsComesFirst() {
        board.add(item("calm", 0.1));
        board.add(item("unsure", 0.9));
        board.add(item("middle", 0.5));
        assertThat(board.next("ann", T0).orElseThrow().item().itemId()).isEqualTo("unsure");
        assertThat(board.next("bob", T0).orElseThrow().item().itemId()).isEqualTo("middle");
        // a rater with an open assignment gets the same one back (a reloaded page)
        assertThat(board.next("ann", T0).orElseThrow().item().itemId()).isEqualTo("unsure");
    }

    @Test
    void anExpiredAssignmentGoesToSomeoneElseButNotBackToItsRater() {
        ReviewBoard single = new ReviewBoard(new ReviewBoard.Settings(1, Duration.ofMinutes(10)));
        single.add(item("only", 0.5));
        assertThat(single.next("ann", T0)).isPresent();
        assertThat(single.next("bob", T0)).isEmpty(); // overlap 1, leased to ann
        Instant later = T0.plus(Duration.ofMinutes(11));
        assertThat(single.next("bob", later).orElseThrow().item().itemId()).isEqualTo("only");
        assertThat(single.admitNew("ann", "k", likert("only", 5), later)).isInstanceOf(ReviewBoard.Refused.class);
        assertThat(single.next("ann", later)).isEmpty();
    }

    @Test
    void aRetryWithTheSameKeyReplaysAndADifferentBodyIsRefused() {
        board.add(item("i1", 0.5));
        board.next("ann", T0);
        var granted = (ReviewBoard.Granted) board.admitNew("ann", "key-1", likert("i1", 4), T0);
        // a retry while the first is still being published waits for it
        var inFlight = board.admitNew("ann", "key-1", likert("i1", 4), T0);
        assertThat(inFlight).isInstanceOf(ReviewBoard.InFlight.class);
        board.completed(granted);
        assertThat(((ReviewBoard.InFlight) inFlight).result()).isCompletedWithValue(granted.rating());

        var replay = board.admitNew("ann", "key-1", likert("i1", 4), T0.plusSeconds(5));
        assertThat(replay).isEqualTo(new ReviewBoard.Replay(granted.rating()));
        var mismatch = board.admitNew("ann", "key-1", likert("i1", 2), T0);
        assertThat(mismatch).isInstanceOfSatisfying(ReviewBoard.Refused.class, r -> assertThat(r.why()).isEqualTo(ReviewBoard.Refusal.KEY_REUSED));
        var again = board.admitNew("ann", "key-2", likert("i1", 2), T0);
        assertThat(again).isInstanceOfSatisfying(ReviewBoard.Refused.class, r -> {
            assertThat(r.why()).isEqualTo(ReviewBoard.Refusal.ALREADY_RATED);
            assertThat(r.reason()).contains("already rated");
        });
        assertThat(board.ratingsOf("i1")).hasSize(1);
    }

    @Test
    void aFailedPublishChangesNothingAndTheRetrySucceeds() {
        board.add(item("i1", 0.5));
        board.next("ann", T0);
        var first = (ReviewBoard.Granted) board.admitNew("ann", "key-1", likert("i1", 3), T0);
        board.failed(first, new RuntimeException("broker down"));
        assertThat(board.ratingsOf("i1")).isEmpty();
        var retry = board.admitNew("ann", "key-1", likert("i1", 3), T0);
        assertThat(retry).isInstanceOf(ReviewBoard.Granted.class);
    }

    @Test
    void onlyTheOwnerChangesARatingAndEachChangeIsANewVersion() {
        board.add(item("i1", 0.5));
        String itemId = rateNext("ann", 2, T0);
        String ratingId = ReviewBoard.ratingId("ann", itemId);
        var change = (ReviewBoard.Granted) board.admitChange("ann", ratingId, "c1", likert("ignored", 5), T0);
        assertThat(change.rating().version()).isEqualTo(2);
        assertThat(change.rating().itemId()).isEqualTo(itemId);
        board.completed(change);
        assertThat(board.rating(ratingId).orElseThrow().likert()).isEqualTo(5);
        assertThat(board.admitChange("bob", ratingId, "c2", likert(itemId, 1), T0))
                .isInstanceOfSatisfying(ReviewBoard.Refused.class, r -> assertThat(r.why()).isEqualTo(ReviewBoard.Refusal.NOT_YOURS));
        assertThat(board.admitChange("ann", "nope", "c3", likert(itemId, 1), T0))
                .isInstanceOfSatisfying(ReviewBoard.Refused.class, r -> assertThat(r.why()).isEqualTo(ReviewBoard.Refusal.NO_SUCH_RATING));
        assertThat(board.history("ann")).extracting(Rating::version).containsExactly(2);
    }

    @Test
    void replayingTheEventsInAnyOrderRebuildsTheSameViews() {
        List<Object> events = new ArrayList<>();
        events.add(Items.rating("ann", "i1", 1, 3, null, null));
        events.add(item("i1", 0.5));
        events.add(Items.rating("ann", "i1", 2, 5, null, null));
        events.add(Items.rating("ann", "i1", 1, 3, null, null)); // late redelivery of version 1
        events.add(Items.rating("bob", "i1", 1, 4, null, null));
        ReviewBoard rebuilt = new ReviewBoard(new ReviewBoard.Settings(2, Duration.ofMinutes(10)));
        for (Object e : events) {
            if (e instanceof Rating r) {
                rebuilt.add(r);
            } else {
                rebuilt.add((io.tuneloop.events.payload.ReviewItem) e);
            }
        }
        assertThat(rebuilt.ratingsOf("i1")).extracting(Rating::raterId, Rating::likert)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ann", 5), org.assertj.core.groups.Tuple.tuple("bob", 4));
        assertThat(rebuilt.waitingCount()).isZero(); // rated by 2 = overlap
        assertThat(rebuilt.next("cid", T0)).isEmpty();
    }

    @Test
    void aPreferenceMustCompareTwoResponsesToTheSamePrompt() {
        board.add(item("a", "demo", 0, "general", "t", "Same prompt", "Answer A", 0.5));
        board.add(item("b", "demo", 0, "general", "t", "Same prompt", "Answer B", 0.1));
        board.add(item("c", "demo", 0, "general", "t", "Other prompt", "Answer C", 0.1));
        var assignment = board.next("ann", T0).orElseThrow();
        assertThat(assignment.item().itemId()).isEqualTo("a");
        assertThat(assignment.compareWith().itemId()).isEqualTo("b");
        var wrong = new ReviewBoard.Content("a", Rating.SUBMITTED, null, List.of(), null,
                new Rating.Preference("c", "this"), "v1");
        assertThat(board.admitNew("ann", "k1", wrong, T0)).isInstanceOfSatisfying(ReviewBoard.Refused.class,
                r -> assertThat(r.reason()).contains("same prompt"));
        var right = new ReviewBoard.Content("a", Rating.SUBMITTED, null, List.of(), null,
                new Rating.Preference("b", "other"), "v1");
        assertThat(board.admitNew("ann", "k2", right, T0)).isInstanceOf(ReviewBoard.Granted.class);
    }
}
