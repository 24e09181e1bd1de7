package io.tuneloop.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.nn.Ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam moments with bias correction, and weight decay applied to the
 * weights directly (decoupled), only to matrices (not to norms, biases). The moments are named like
 * the parameters, so they are saved and restored with a checkpoint.
 */
public final class AdamW implements AutoCloseable {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long steps;

    public AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    public static AdamW defaults(NDManager parent, double weightDecay) {
        return new AdamW(parent, 0.9, 0.999, 1e-8, weightDecay);
    }

    /** Optimizer steps taken. */
    public long steps() {
        return steps;
    }

    /**
     * One update of every parameter from its gradient: p -= lr * (m̂ / (sqrt(v̂) + eps) + wd * p).
     * Call outside the gradient collector; gradients are left as they are (zero them after).
     */
    public void step(Map<String, NDArray> parameters, double lr) {
        steps++;
        double correction1 = 1 - Math.pow(beta1, steps);
        double correction2 = 1 - Math.pow(beta2, steps);
        try (NDManager scope = manager.newSubManager()) {
            for (var entry : parameters.entrySet()) {
                NDArray p = entry.getValue();
                NDArray g = p.getGradient();
                g.tempAttach(scope);
                NDArray m = firstMoments.computeIfAbsent(entry.getKey(), k -> manager.zeros(p.getShape()));
                NDArray v = secondMoments.computeIfAbsent(entry.getKey(), k -> manager.zeros(p.getShape()));
                m.tempAttach(scope);
                v.tempAttach(scope);
                m.muli(Ops.scalar(m, (float) beta1)).addi(g.mul(Ops.scalar(g, (float) (1 - beta1))));
                v.muli(Ops.scalar(v, (float) beta2)).addi(g.mul(g).mul(Ops.scalar(g, (float) (1 - beta2))));
                NDArray mHat = m.div(Ops.scalar(m, (float) correction1));
                NDArray vHat = v.div(Ops.scalar(v, (float) correction2));
                NDArray update = mHat.div(vHat.sqrt().add(Ops.scalar(v, (float) eps)));
                if (weightDecay > 0 && p.getShape().dimension() >= 2) {
                    p.muli(Ops.scalar(p, (float) (1 - lr * weightDecay)));
                }
                p.subi(update.mul(Ops.scalar(update, (float) lr)));
            }
        }
    }

    public Map<String, NDArray> firstMoments() {
        return firstMoments;
    }

    public Map<String, NDArray> secondMoments() {
        return secondMoments;
    }

    /** Restores moments and step count from a checkpoint (arrays are copied into this optimizer). */
    public void restore(long steps, Map<String, float[]> first, Map<String, float[]> second, Map<String, NDArray> parameters) {
        this.steps = steps;
        first.forEach((name, values) -> firstMoments.put(name, manager.create(values, parameters.get(name).getShape())));
        second.forEach((name, values) -> secondMoments.put(name, manager.create(values, parameters.get(name).getShape())));
    }

    @Override
    public void close() {
        manager.close();
    }
}
