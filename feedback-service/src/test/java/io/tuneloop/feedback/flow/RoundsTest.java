package io.tuneloop.feedback.flow;

import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.feedback.review.ReviewBoard;
import io.tuneloop.service.resilience.Faults;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.tuneloop.feedback.Items.item;
import static io.tuneloop.feedback.Items.rating;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rounds flow over in-memory ports: no broker, no store. */
class RoundsTest {
    final ReviewBoard board = new ReviewBoard(new ReviewBoard.Settings(2, Duration.ofMinutes(5)));
    final RoundPolicy policy = new RoundPolicy(new RoundPolicy.Settings(4, 2, 1, 4.0, Set.of("unsafe"), Set.of("review"),
            2, 0.75));
    final List<RoundExport> exports = new ArrayList<>();
    final java.util.Map<String, Double> alphas = new java.util.HashMap<>();
    final List<RoundRequest> requests = new ArrayList<>();
    boolean caughtUp = true;
    boolean brokerDown;

    Rounds rounds(boolean automatic) {
        return new Rounds(board, policy, exports::add, request -> {
            if (brokerDown) {
                throw new Faults.TransientFault("broker unavailable");
            }
            requests.add(request);
        }, () -> caughtUp, new RoundPorts.Metrics() {
            @Override
            public void requested(RoundExport export) {
            }

            @Override
            public void agreement(String dataset, Double alphaOrdinal) {
                alphas.put(dataset, alphaOrdinal);
            }
        }, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), automatic);
    }

    /** Two raters agree on two top-rated responses: 4 accepted ratings, the policy's minimum. */
    private void twoAgreedItems() {
        for (String id : List.of("a", "b")) {
            board.add(item(id, "demo", 0, "review", "task-" + id, "Prompt " + id, "Response " + id, 0.5));
            board.add(rating("ann", id, 5));
            board.add(rating("bob", id, 4));
        }
    }

    @Test
    void aDueRoundIsExportedThenRequestedOnceWhenTheViewsHaveCaughtUp() {
        Rounds rounds = rounds(true);
        twoAgreedItems();
        caughtUp = false;
        rounds.check();
        assertThat(requests).as("nothing while the views are rebuilt").isEmpty();

        caughtUp = true;
        rounds.check();
        rounds.check();
        assertThat(requests).singleElement().satisfies(r -> {
            assertThat(r.requestId()).isEqualTo("feedback:demo:round-1");
            assertThat(r.round()).isEqualTo(1);
            assertThat(r.feedbackCount()).isEqualTo(2);
            assertThat(r.feedbackKey()).isEqualTo("feedback/demo/round-1/sft.jsonl");
        });
        assertThat(exports).singleElement().satisfies(e -> assertThat(e.samples()).hasSize(2));
    }

    @Test
    void aDatasetWhoseAgreementIsUndefinedDoesNotStopTheChecksOfTheOthers() {
        board.add(item("lonely", "alone", 0, "review", "t", "P", "R", 0.5));
        board.add(rating("ann", "lonely", 5)); // one rating: alpha is undefined
        twoAgreedItems();
        rounds(true).check();
        assertThat(alphas).containsKey("alone").containsEntry("alone", null);
        assertThat(alphas.get("demo")).isNotNull();
        assertThat(requests).extracting(RoundRequest::dataset).containsExactly("demo");
    }

    @Test
    void anAdminStartsARoundOnlyWhenSomethingQualifiesAndOnlyOnce() {
        Rounds rounds = rounds(false);
        assertThatThrownBy(() -> rounds.preview("demo")).isInstanceOfSatisfying(RoundRefused.class,
                e -> assertThat(e.why()).isEqualTo(RoundRefused.Why.NOTHING_TO_ROUND));
        board.add(item("x", "demo", 0, "review", "t", "P", "R", 0.5));
        assertThatThrownBy(() -> rounds.startNow("demo", "ada")).isInstanceOfSatisfying(RoundRefused.class,
                e -> assertThat(e.why()).isEqualTo(RoundRefused.Why.NOTHING_QUALIFIES));
        twoAgreedItems();
        rounds.check();
        assertThat(requests).as("not automatic").isEmpty();

        caughtUp = false;
        assertThatThrownBy(() -> rounds.startNow("demo", "ada")).isInstanceOfSatisfying(RoundRefused.class,
                e -> assertThat(e.why()).isEqualTo(RoundRefused.Why.VIEWS_REBUILDING));
        caughtUp = true;
        RoundRequest request = rounds.startNow("demo", "ada");
        assertThat(request.reason()).isEqualTo("admin request");
        assertThatThrownBy(() -> rounds.startNow("demo", "ada")).isInstanceOfSatisfying(RoundRefused.class,
                e -> assertThat(e.why()).isEqualTo(RoundRefused.Why.NOTHING_TO_ROUND)); // its items' round is requested
    }

    @Test
    void aRoundSeenOnTheTopicIsNotRequestedAgainAndABrokerOutageIsRetriedWithTheSameRequest() {
        twoAgreedItems();
        Rounds other = rounds(true);
        brokerDown = true;
        assertThatThrownBy(() -> rounds(false).startNow("demo", "ada")).isInstanceOf(Faults.TransientFault.class);
        brokerDown = false;
        RoundRequest sent = rounds(false).startNow("demo", "ada");
        assertThat(exports).hasSize(2);
        assertThat(exports.get(1)).isEqualTo(exports.get(0)); // the retry wrote the same export

        other.requested(sent); // what another instance requested, read back from the topic
        other.check();
        assertThat(requests).containsExactly(sent);
    }
}
