package io.tuneloop.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.tuneloop.model.nn.Ops;

/**
 * Next-token cross-entropy over learned tokens only. {@link #sum} returns the SUM of the negative
 * log-likelihoods; dividing by the learned tokens of the whole accumulated batch (not of each
 * micro-batch) makes gradient accumulation give exactly the gradient of one big batch.
 */
public final class CausalLmLoss {
    private CausalLmLoss() {
    }

    /**
     * @param logits  (B, T, V)
     * @param targets (B, T) int64, {@link Batch#IGNORE} where nothing is learned
     * @return scalar: sum over learned positions of -log p(target)
     */
    public static NDArray sum(NDArray logits, NDArray targets) {
        return perRow(logits, targets).sum();
    }

    /**
     * @param logits  (B, T, V)
     * @param targets (B, T) int64, {@link Batch#IGNORE} where nothing is learned
     * @return (B,): for each row, the sum over its learned positions of -log p(target)
     */
    public static NDArray perRow(NDArray logits, NDArray targets) {
        NDArray learned = targets.neq(Ops.scalar(targets, Batch.IGNORE).toType(DataType.INT64, false));  // (B, T)
        NDArray safeTargets = targets.mul(learned.toType(DataType.INT64, false));            // IGNORE → 0
        NDArray logProbs = logits.logSoftmax(-1);                                             // (B, T, V)
        NDArray picked = logProbs.gather(safeTargets.expandDims(-1), -1).squeeze(-1);        // (B, T)
        return picked.mul(learned.toType(DataType.FLOAT32, false)).sum(new int[]{1}).neg();
    }
}
