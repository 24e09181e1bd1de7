package io.tuneloop.feedback;

import io.tuneloop.feedback.agreement.KrippendorffAlpha;
import io.tuneloop.feedback.agreement.RatingStats;
import io.tuneloop.feedback.review.RatedItem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.tuneloop.feedback.Items.item;
import static io.tuneloop.feedback.Items.rating;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RatingStatsTest {

    @Test
    void agreementOfAHandComputedExample() {
        // Two items, interval scale: item x rated (1, 1), item y rated (1, 3).
        // Pooled values 1,1,1,3: n = 4. D_e = sum over ordered pairs of different values / (n (n-1))
        //   = (3*1*(3-1)^2 * 2) / 12 = 24 / 12 = 2. D_o = (0 + 2*4/1) / 4 = 2. alpha = 1 - 2/2 = 0.
        // Per item: x = 1 - 0/2 = 1; y = 1 - (8/2)/2 = -1.
        List<RatedItem> items = List.of(
                new RatedItem(item("x", 0.5), List.of(rating("ann", "x", 1), rating("bob", "x", 1))),
                new RatedItem(item("y", 0.5), List.of(rating("ann", "y", 1), rating("bob", "y", 3))));
        List<List<Double>> scores = List.of(List.of(1d, 1d), List.of(1d, 3d));
        assertThat(KrippendorffAlpha.of(scores, KrippendorffAlpha.Scale.INTERVAL)).isCloseTo(0.0, within(1e-12));
        double[] perItem = KrippendorffAlpha.perItem(scores, KrippendorffAlpha.Scale.INTERVAL);
        assertThat(perItem[0]).isCloseTo(1.0, within(1e-12));
        assertThat(perItem[1]).isCloseTo(-1.0, within(1e-12));

        RatingStats.Agreement agreement = RatingStats.agreement(items);
        assertThat(agreement.items()).isEqualTo(2);
        assertThat(agreement.alphaInterval()).isCloseTo(0.0, within(1e-12));
        assertThat(agreement.perItem()).extracting(RatingStats.ItemAgreement::spread).containsExactly(0, 2);
    }

    @Test
    void groupsCountRatingsSkipsLabelsAndCorrections() {
        var skip = new io.tuneloop.events.payload.Rating("s", 1, "x", "cid", null, List.of(), null, null, "v1",
                io.tuneloop.events.payload.Rating.DISCARDED, null, Items.T0);
        List<RatedItem> items = List.of(
                new RatedItem(item("x", 0.5), List.of(rating("ann", "x", 4, "helpful"), rating("bob", "x", 1, 2,
                        "Fixed.", null, "fails_task"), skip)),
                new RatedItem(item("y", 0.5), List.of()));
        RatingStats.Group group = RatingStats.group("all", items);
        assertThat(group.items()).isEqualTo(2);
        assertThat(group.ratedItems()).isEqualTo(1);
        assertThat(group.ratings()).isEqualTo(2);
        assertThat(group.skips()).isEqualTo(1);
        assertThat(group.meanLikert()).isEqualTo(3.0);
        assertThat(group.labels()).containsEntry("helpful", 1L).containsEntry("fails_task", 1L);
        assertThat(group.corrections()).isEqualTo(1);
        // one pairable item (4 vs 2): its disagreement is exactly what chance predicts
        assertThat(group.alphaOrdinal()).isCloseTo(0.0, within(1e-12));
    }
}
