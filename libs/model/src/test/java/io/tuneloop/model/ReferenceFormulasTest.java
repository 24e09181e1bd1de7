package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.tuneloop.model.nn.Ops;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The building blocks against straightforward loops in Java, and gradients against finite differences. */
class ReferenceFormulasTest {
    private static NDManager m;
    private final Random random = new Random(1);

    @BeforeAll
    static void engine() {
        m = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        m.close();
    }

    private float[] randoms(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    @Test
    void rmsNormMatchesItsFormula() {
        float[] x = randoms(2 * 6);
        float[] w = randoms(6);
        float[] out = Ops.rmsNorm(m.create(x, new Shape(2, 6)), m.create(w), 1e-6).toFloatArray();
        for (int r = 0; r < 2; r++) {
            double meanSquare = 0;
            for (int i = 0; i < 6; i++) {
                meanSquare += x[r * 6 + i] * x[r * 6 + i] / 6.0;
            }
            for (int i = 0; i < 6; i++) {
                assertThat(out[r * 6 + i]).isCloseTo((float) (x[r * 6 + i] / Math.sqrt(meanSquare + 1e-6) * w[i]), within(1e-5f));
            }
        }
    }

    @Test
    void ropeRotatesEachPairOfHalvesByPositionTimesFrequency() {
        int hs = 8;
        float[] x = randoms(3 * hs); // (B=1, H=1, T=3, hs)
        long[] positions = {0, 5, 9};
        float[] out = Ops.rope(m.create(x, new Shape(1, 1, 3, hs)), m.create(positions, new Shape(1, 3)), 10000)
                .toFloatArray();
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < hs / 2; i++) {
                double angle = positions[t] / Math.pow(10000, 2.0 * i / hs);
                double a = x[t * hs + i];
                double b = x[t * hs + i + hs / 2];
                assertThat(out[t * hs + i]).isCloseTo((float) (a * Math.cos(angle) - b * Math.sin(angle)), within(1e-4f));
                assertThat(out[t * hs + i + hs / 2]).isCloseTo((float) (b * Math.cos(angle) + a * Math.sin(angle)), within(1e-4f));
            }
        }
    }

    @Test
    void groupedCausalAttentionMatchesLoops() {
        int heads = 4;
        int kvHeads = 2;
        int t = 3;
        int hs = 2;
        float[] q = randoms(heads * t * hs);
        float[] k = randoms(kvHeads * t * hs);
        float[] v = randoms(kvHeads * t * hs);
        float[] mask = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                mask[i * t + j] = j <= i ? 0 : -1e9f;
            }
        }
        float[] out = Ops.attention(m.create(q, new Shape(1, heads, t, hs)), m.create(k, new Shape(1, kvHeads, t, hs)),
                m.create(v, new Shape(1, kvHeads, t, hs)), m.create(mask, new Shape(1, 1, t, t))).toFloatArray();
        for (int h = 0; h < heads; h++) {
            int g = h / (heads / kvHeads); // query head h reads key/value head h / groups
            for (int i = 0; i < t; i++) {
                double[] scores = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double dot = 0;
                    for (int d = 0; d < hs; d++) {
                        dot += q[(h * t + i) * hs + d] * k[(g * t + j) * hs + d];
                    }
                    scores[j] = dot / Math.sqrt(hs);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int d = 0; d < hs; d++) {
                    double expected = 0;
                    for (int j = 0; j <= i; j++) {
                        expected += scores[j] / sum * v[(g * t + j) * hs + d];
                    }
                    assertThat(out[(h * t + i) * hs + d]).isCloseTo((float) expected, within(1e-5f));
                }
            }
        }
    }

    @Test
    void swigluAndGeluMatchTheirFormulas() {
        float[] x = randoms(5);
        float[] silu = Ops.silu(m.create(x)).toFloatArray();
        float[] gelu = Ops.geluTanh(m.create(x)).toFloatArray();
        for (int i = 0; i < 5; i++) {
            assertThat(silu[i]).isCloseTo((float) (x[i] / (1 + Math.exp(-x[i]))), within(1e-5f));
            double inner = Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * Math.pow(x[i], 3));
            assertThat(gelu[i]).isCloseTo((float) (0.5 * x[i] * (1 + Math.tanh(inner))), within(1e-5f));
        }
    }

    @Test
    void swigluMlpMatchesLoops() {
        int d = 3;
        int hidden = 4;
        float[] x = randoms(d);
        float[] gate = randoms(hidden * d);
        float[] up = randoms(hidden * d);
        float[] down = randoms(d * hidden);
        NDArray xs = m.create(x, new Shape(1, d));
        float[] out = Ops.linear(Ops.silu(Ops.linear(xs, m.create(gate, new Shape(hidden, d)), null))
                        .mul(Ops.linear(xs, m.create(up, new Shape(hidden, d)), null)),
                m.create(down, new Shape(d, hidden)), null).toFloatArray();
        double[] h = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            double g = 0;
            double u = 0;
            for (int i = 0; i < d; i++) {
                g += gate[j * d + i] * x[i];
                u += up[j * d + i] * x[i];
            }
            h[j] = g / (1 + Math.exp(-g)) * u;
        }
        for (int i = 0; i < d; i++) {
            double expected = 0;
            for (int j = 0; j < hidden; j++) {
                expected += down[i * hidden + j] * h[j];
            }
            assertThat(out[i]).isCloseTo((float) expected, within(1e-5f));
        }
    }

    /** A block's loss as a function of one weight matrix, for finite differences. */
    private static float blockLoss(NDManager scope, NDArray x, NDArray w, NDArray norm) {
        NDArray h = Ops.rmsNorm(x, norm, 1e-6);
        NDArray y = x.add(Ops.linear(Ops.silu(Ops.linear(h, w, null)), w.transpose(), null));
        return y.mul(y).sum().getFloat();
    }

    @Test
    void gradientsOfASmallBlockMatchFiniteDifferences() {
        try (NDManager scope = m.newSubManager()) {
            float[] xv = randoms(2 * 4);
            float[] wv = randoms(3 * 4);
            NDArray x = scope.create(xv, new Shape(2, 4));
            NDArray norm = scope.create(new float[]{1f, 0.5f, 2f, 1.5f});
            NDArray w = scope.create(wv, new Shape(3, 4));
            w.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray h = Ops.rmsNorm(x, norm, 1e-6);
                NDArray y = x.add(Ops.linear(Ops.silu(Ops.linear(h, w, null)), w.transpose(), null));
                collector.backward(y.mul(y).sum());
            }
            float[] analytic = w.getGradient().toFloatArray();
            double eps = 1e-2;
            for (int i = 0; i < wv.length; i++) {
                float[] plus = wv.clone();
                float[] minus = wv.clone();
                plus[i] += (float) eps;
                minus[i] -= (float) eps;
                double numeric = (blockLoss(scope, x, scope.create(plus, new Shape(3, 4)), norm)
                        - blockLoss(scope, x, scope.create(minus, new Shape(3, 4)), norm)) / (2 * eps);
                assertThat(analytic[i]).isCloseTo((float) numeric, within((float) (1e-2 * Math.max(1, Math.abs(numeric)))));
            }
        }
    }
}
