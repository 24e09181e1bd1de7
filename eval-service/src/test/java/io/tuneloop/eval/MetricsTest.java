package io.tuneloop.eval;

import io.tuneloop.eval.measures.Bootstrap;
import io.tuneloop.eval.measures.TextMetrics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {
    @Test
    void exactMatchNormalisesCasePunctuationArticlesAndSpaces() {
        assertThat(TextMetrics.normalise("  The Answer,  is: \"Paris\"! ")).isEqualTo("answer is paris");
        assertThat(TextMetrics.exactMatch("The answer is Paris.", List.of("answer is paris"))).isEqualTo(100);
        assertThat(TextMetrics.exactMatch("Paris", List.of("London", "paris"))).isEqualTo(100);
        assertThat(TextMetrics.exactMatch("Paris, France", List.of("Paris"))).isZero();
    }

    @Test
    void rougeLMatchesHandComputedValues() {
        // prediction "the cat sat on mat" -> [cat, sat, on, mat] (articles dropped); reference
        // "a cat was on the mat" -> [cat, was, on, mat]; LCS = cat on mat = 3; P = R = 3/4; F = 75
        assertThat(TextMetrics.rougeL("the cat sat on mat", "a cat was on the mat")).isCloseTo(75.0, within(1e-9));
        // [police, killed, gunman] vs [gunman, police, killed]: LCS 2 (police killed), P = R = 2/3
        assertThat(TextMetrics.rougeL("police killed gunman", "gunman police killed")).isCloseTo(66.666666, within(1e-4));
        // different lengths: pred [x, y] vs ref [x, z, y, w]: LCS 2, P = 1, R = 0.5, F = 2*0.5/1.5 = 66.67
        assertThat(TextMetrics.rougeL("x y", "x z y w")).isCloseTo(66.666666, within(1e-4));
        assertThat(TextMetrics.rougeL("nothing shared", List.of("totally different", "nothing shared"))).isEqualTo(100);
        assertThat(TextMetrics.rougeL("", "something")).isZero();
    }

    @Test
    void theBootstrapCallsARealImprovementSignificantAndNoiseNot() {
        double[] base = new double[200];
        double[] better = new double[200];
        double[] same = new double[200];
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < 200; i++) {
            base[i] = random.nextDouble() < 0.4 ? 100 : 0;
            better[i] = base[i] == 100 || random.nextDouble() < 0.3 ? 100 : 0;
            same[i] = random.nextDouble() < 0.4 ? 100 : 0;
        }
        Bootstrap.Interval up = Bootstrap.pairedDifference(base, better, 2000, 7);
        assertThat(up.meanDifference()).isPositive();
        assertThat(up.significant()).isTrue();
        assertThat(up.low()).isPositive();
        Bootstrap.Interval noise = Bootstrap.pairedDifference(base, base, 2000, 7);
        assertThat(noise.significant()).isFalse();
        assertThat(noise.meanDifference()).isZero();
        Bootstrap.Interval unrelated = Bootstrap.pairedDifference(base, same, 2000, 7);
        assertThat(unrelated.low()).isLessThanOrEqualTo(unrelated.meanDifference());
        assertThat(unrelated.high()).isGreaterThanOrEqualTo(unrelated.meanDifference());
    }
}
