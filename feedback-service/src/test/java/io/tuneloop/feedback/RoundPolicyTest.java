package io.tuneloop.feedback;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.events.EventJson;
import io.tuneloop.feedback.review.RatedItem;
import io.tuneloop.feedback.flow.RoundExport;
import io.tuneloop.feedback.flow.RoundPolicy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.tuneloop.feedback.Items.item;
import static io.tuneloop.feedback.Items.rating;
import static org.assertj.core.api.Assertions.assertThat;

class RoundPolicyTest {
    private final RoundPolicy policy = new RoundPolicy(new RoundPolicy.Settings(6, 2, 1, 4.0, Set.of("unsafe", "spam"),
            Set.of("review"), 2, 0.75));

    private static RatedItem rated(ReviewItem item, Rating... ratings) {
        return new RatedItem(item, List.of(ratings));
    }

    private static ReviewItem pooled(String id) {
        return item(id, "demo", 0, "review", "task-" + id, "Prompt " + id, "Response " + id, 0.5);
    }

    @Test
    void exactlyTheItemsWhereRatersAgreeBecomeSamples() {
        List<RatedItem> items = new ArrayList<>();
        items.add(rated(pooled("good"), rating("ann", "good", 5), rating("bob", "good", 4)));             // top rated
        items.add(rated(pooled("split"), rating("ann", "split", 5), rating("bob", "split", 2)));          // disagree
        items.add(rated(pooled("alone"), rating("ann", "alone", 5)));                                   // one rater
        items.add(rated(pooled("fixed"), rating("ann", "fixed", 1, 2, "Better answer.", null),
                rating("bob", "fixed", 1, 2, "  Better answer. ", null), rating("cid", "fixed", 1, 1, "Another fix.", null)));
        items.add(rated(pooled("meh"), rating("ann", "meh", 3), rating("bob", "meh", 3)));                // no correction
        items.add(rated(pooled("unsafe"), rating("ann", "unsafe", 5), rating("bob", "unsafe", 5, "unsafe")));
        items.add(rated(item("held", "demo", 0, "heldout_tasks", "t", "P held", "R held", 0.5),
                rating("ann", "held", 5), rating("bob", "held", 5)));
        items.add(rated(item("next-round", "demo", 1, "review", "t", "P", "R", 0.5),
                rating("ann", "next-round", 5), rating("bob", "next-round", 5)));

        RoundPolicy.Plan plan = policy.plan("demo", 0, items);

        assertThat(plan.round()).isEqualTo(1);
        assertThat(plan.baseVersion()).isEqualTo(1);
        assertThat(plan.samples()).extracting(RoundPolicy.Sample::kind, RoundPolicy.Sample::itemId, RoundPolicy.Sample::response)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("correction", "fixed", "Another fix."),
                        org.assertj.core.groups.Tuple.tuple("correction", "fixed", "Better answer."),
                        org.assertj.core.groups.Tuple.tuple("top_rated", "good", "Response good"));
        assertThat(plan.skipped()).isEqualTo(Map.of("raters_disagree", 1L, "too_few_raters", 1L,
                "not_good_enough_without_correction", 1L, "flagged_unsafe", 1L, "eval_suite", 1L));
        assertThat(plan.acceptedRatings()).isEqualTo(14);
        assertThat(policy.due(plan)).isTrue();
        // each agreed correction is also a pair over the response it corrects, with the same ratings behind it
        assertThat(plan.preferences()).extracting(RoundPolicy.PreferencePair::chosen, RoundPolicy.PreferencePair::rejected,
                RoundPolicy.PreferencePair::rejectedItemId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Another fix.", "Response fixed", "fixed"),
                org.assertj.core.groups.Tuple.tuple("Better answer.", "Response fixed", "fixed"));
        assertThat(plan.preferences().get(0).ratings()).isEqualTo(plan.samples().get(0).ratings()).hasSize(3);
        assertThat(plan.samples().get(2).ratings()).containsExactlyInAnyOrder(
                io.tuneloop.feedback.review.ReviewBoard.ratingId("ann", "good") + "@1",
                io.tuneloop.feedback.review.ReviewBoard.ratingId("bob", "good") + "@1");
    }

    @Test
    void preferencePairsNeedEnoughVotesAndAClearMajority() {
        ReviewItem a = item("a", "demo", 0, "review", "t", "Same", "Answer A", 0.5);
        ReviewItem b = item("b", "demo", 0, "review", "t", "Same", "Answer B", 0.5);
        ReviewItem c = item("c", "demo", 0, "review", "t", "Other", "Answer C", 0.5);
        ReviewItem d = item("d", "demo", 0, "review", "t", "Other", "Answer D", 0.5);
        List<RatedItem> items = List.of(
                rated(a, rating("ann", "a", 1, null, null, new Rating.Preference("b", "other")),
                        rating("bob", "a", 1, null, null, new Rating.Preference("b", "other"))),
                rated(b, rating("cid", "b", 1, null, null, new Rating.Preference("a", "this"))),
                rated(c, rating("ann", "c", 1, null, null, new Rating.Preference("d", "this"))),
                rated(d, rating("bob", "d", 1, null, null, new Rating.Preference("c", "this"))));
        RoundPolicy.Plan plan = policy.plan("demo", 0, items);
        // b beats a 3:0; c vs d is 1:1, no majority
        assertThat(plan.preferences()).singleElement().satisfies(p -> {
            assertThat(p.chosen()).isEqualTo("Answer B");
            assertThat(p.rejected()).isEqualTo("Answer A");
            assertThat(p.votesFor()).isEqualTo(3);
            assertThat(p.votesAgainst()).isZero();
            assertThat(p.ratings()).hasSize(3);
        });
        assertThat(policy.due(plan)).isFalse(); // 5 accepted ratings < 6

        // exported as a preference raw record: the prompt as the model saw it, the answers beside it,
        // the items, votes and ratings behind it; never a two-turn SFT sample
        RoundExport export = RoundExport.of(plan, "ada");
        assertThat(export.samples()).isEmpty();
        assertThat(export.preferencesKey()).isEqualTo("feedback/demo/round-1/preferences.jsonl");
        RawRecord pair = export.preferences().get(0);
        assertThat(pair.messages()).extracting(m -> m.role() + ":" + m.content()).containsExactly("user:Same");
        assertThat(pair.preference().chosen()).extracting(m -> m.content()).containsExactly("Answer B");
        assertThat(pair.preference().rejected()).extracting(m -> m.content()).containsExactly("Answer A");
        assertThat(pair.attributes()).containsEntry("feedback.kind", "preference").containsEntry("feedback.chosenItem", "b")
                .containsEntry("feedback.rejectedItem", "a").containsEntry("feedback.votes", "3-0-0");
        assertThat(pair.attributes().get("feedback.ratings").split(",")).hasSize(3);
        assertThat(pair.provenance().file()).isEqualTo("preferences.jsonl");
    }

    @Test
    void theExportIsTwoTurnRawRecordsThatNameTheirRatings() {
        List<RatedItem> items = List.of(rated(pooled("good"), rating("ann", "good", 5), rating("bob", "good", 5)));
        RoundExport export = RoundExport.of(policy.plan("demo", 0, items), "ada");
        assertThat(export.sftKey()).isEqualTo("feedback/demo/round-1/sft.jsonl");
        assertThat(export.sampleCount()).isEqualTo(1);
        assertThat(export.preferenceCount()).isZero();
        RawRecord record = export.samples().get(0);
        assertThat(record.sourceFormat()).isEqualTo(RawRecord.FEEDBACK_FORMAT);
        assertThat(record.messages()).extracting(m -> m.role() + ":" + m.content())
                .containsExactly("user:Prompt good", "assistant:Response good");
        assertThat(record.attributes()).containsEntry("feedback.item", "good").containsEntry("feedback.kind", "top_rated");
        assertThat(record.attributes().get("feedback.ratings")).contains("@1,");
        assertThat(RoundExport.of(policy.plan("demo", 0, items), "ada")).isEqualTo(export); // deterministic
        assertThat(EventJson.toJson(export.lineage())).contains("\"acceptedRatings\":2");
    }
}
