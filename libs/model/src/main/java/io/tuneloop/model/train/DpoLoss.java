package io.tuneloop.model.train;

import ai.djl.ndarray.NDArray;
import io.tuneloop.model.nn.Ops;

/**
 * The sigmoid DPO loss (Rafailov et al. 2023, TRL's {@code loss_type="sigmoid"}), per pair:
 *
 * <pre>
 *   z    = beta * [(log pi(y_w|x) - log ref(y_w|x)) - (log pi(y_l|x) - log ref(y_l|x))]
 *   loss = -log sigmoid(z) = softplus(-z)
 * </pre>
 *
 * with log-probabilities summed over the response tokens only. z is the implicit reward margin;
 * a pair is "won" when z is positive.
 */
public final class DpoLoss {
    private DpoLoss() {
    }

    /**
     * @param policyChosen    (N,) log pi(y_w|x)
     * @param policyRejected  (N,) log pi(y_l|x)
     * @param referenceChosen (N,) log ref(y_w|x), constants
     * @param referenceRejected (N,) log ref(y_l|x), constants
     * @return (N,) the margins z
     */
    public static NDArray margins(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen,
                                  NDArray referenceRejected, double beta) {
        NDArray chosenRatio = policyChosen.sub(referenceChosen);         // (N,)
        NDArray rejectedRatio = policyRejected.sub(referenceRejected);   // (N,)
        return chosenRatio.sub(rejectedRatio).mul(Ops.scalar(policyChosen, (float) beta));
    }

    /** (N,) softplus(-z) = max(-z, 0) + log(1 + exp(-|z|)), stable for margins of either sign. */
    public static NDArray perPair(NDArray margins) {
        NDArray negated = margins.neg();
        return negated.maximum(0f).add(margins.abs().neg().exp().add(1f).log());
    }

    /** The same loss in double precision, for a margin computed outside the engine. */
    public static double perPair(double margin) {
        return Math.max(-margin, 0) + Math.log1p(Math.exp(-Math.abs(margin)));
    }
}
