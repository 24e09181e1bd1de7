package io.tuneloop.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.GradMode;

import java.util.List;

/**
 * Loss without training: the mean cross-entropy over the learned tokens of a set of examples
 * (validation loss; its exponential is the perplexity of the responses). Forward only, in
 * micro-batches, each batch's activations freed before the next.
 */
public final class LossEvaluation {
    private LossEvaluation() {
    }

    /** Mean loss per learned token over {@code examples}; NaN when they have no learned token. */
    public static double meanLoss(DecoderModel model, List<SftExample> examples, int batchSize, long padId,
                                  NDManager root) {
        GradMode.disable();
        double lossSum = 0;
        long learned = 0;
        for (int i = 0; i < examples.size(); i += batchSize) {
            Batch batch = Batch.of(examples.subList(i, Math.min(i + batchSize, examples.size())), padId);
            try (NDManager scope = root.newSubManager()) {
                model.borrowParameters(scope);
                NDArray logits = model.forward(batch.inputIds(scope), batch.positions(scope), batch.mask(scope), null);
                lossSum += CausalLmLoss.sum(logits, batch.targets(scope)).getFloat();
                learned += batch.learnedTokens();
            }
        }
        return learned == 0 ? Double.NaN : lossSum / learned;
    }
}
