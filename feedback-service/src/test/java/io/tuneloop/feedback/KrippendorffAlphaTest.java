package io.tuneloop.feedback;

import io.tuneloop.feedback.agreement.KrippendorffAlpha;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class KrippendorffAlphaTest {
    /** Krippendorff's worked example: 4 raters, 12 items, missing ratings (null). */
    private static final Double[][] RATERS = {
            {1d, 2d, 3d, 3d, 2d, 1d, 4d, 1d, 2d, null, null, null},
            {1d, 2d, 3d, 3d, 2d, 2d, 4d, 1d, 2d, 5d, null, 3d},
            {null, 3d, 3d, 3d, 2d, 3d, 4d, 2d, 2d, 5d, 1d, null},
            {1d, 2d, 3d, 3d, 2d, 4d, 4d, 1d, 2d, 5d, 1d, null}};

    private static List<List<Double>> items() {
        List<List<Double>> items = new ArrayList<>();
        for (int item = 0; item < 12; item++) {
            List<Double> ratings = new ArrayList<>();
            for (Double[] rater : RATERS) {
                if (rater[item] != null) {
                    ratings.add(rater[item]);
                }
            }
            items.add(ratings);
        }
        return items;
    }

    @Test
    void theWorkedExampleGivesThePublishedValues() {
        // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 0.743, 0.815, 0.849
        assertThat(KrippendorffAlpha.of(items(), KrippendorffAlpha.Scale.NOMINAL)).isCloseTo(0.743, within(0.001));
        assertThat(KrippendorffAlpha.of(items(), KrippendorffAlpha.Scale.ORDINAL)).isCloseTo(0.815, within(0.001));
        assertThat(KrippendorffAlpha.of(items(), KrippendorffAlpha.Scale.INTERVAL)).isCloseTo(0.849, within(0.001));
    }

    @Test
    void perfectAgreementIsOneAndNothingToCompareIsNaN() {
        assertThat(KrippendorffAlpha.of(List.of(List.of(1d, 1d), List.of(3d, 3d, 3d)), KrippendorffAlpha.Scale.INTERVAL))
                .isEqualTo(1.0);
        assertThat(KrippendorffAlpha.of(List.of(List.of(2d), List.of(4d)), KrippendorffAlpha.Scale.NOMINAL)).isNaN();
        assertThat(KrippendorffAlpha.of(List.of(List.of(2d, 2d), List.of(2d, 2d)), KrippendorffAlpha.Scale.NOMINAL)).isNaN();
        // systematic disagreement is worse than chance
        assertThat(KrippendorffAlpha.of(List.of(List.of(1d, 5d), List.of(5d, 1d), List.of(1d, 5d)),
                KrippendorffAlpha.Scale.INTERVAL)).isNegative();
    }
}
