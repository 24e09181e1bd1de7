package io.tuneloop.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * The backward pass of one DPO step over micro-batches of pairs: each micro-batch runs its chosen
 * and rejected sequences through the policy in one forward pass, and contributes (its loss sum) /
 * (pairs of ALL micro-batches), so accumulated micro-batches give the gradient of one batch of
 * their union, as {@link TrainStep} does for SFT.
 */
public final class DpoStep {
    /** A pair with its reference log-probabilities (the frozen starting model's, computed once). */
    public record ReferencedPair(PreferencePair pair, double referenceChosen, double referenceRejected) {
    }

    /**
     * @param loss          mean DPO loss per pair
     * @param margin        mean reward margin z
     * @param accuracy      fraction of pairs with z > 0
     * @param chosenReward  mean beta * (log pi - log ref) of the chosen responses
     * @param rejectedReward mean beta * (log pi - log ref) of the rejected responses
     */
    public record Result(double loss, double margin, double accuracy, double chosenReward, double rejectedReward,
                         long learnedTokens, long realTokens, int pairs) {
    }

    private DpoStep() {
    }

    /**
     * Summed log-probabilities of each row's learned tokens: (B,). The model's parameters must be
     * borrowed by {@code scope} (or one of its parents).
     */
    public static NDArray sequenceLogProbs(DecoderModel model, Batch batch, NDManager scope) {
        NDArray logits = model.forward(batch.inputIds(scope), batch.positions(scope), batch.mask(scope), null); // (B, T, V)
        return CausalLmLoss.perRow(logits, batch.targets(scope)).neg();                                          // (B,)
    }

    /** The chosen sequences of {@code pairs}, then their rejected ones, one per row. */
    static Batch stacked(List<PreferencePair> pairs) {
        List<SftExample> rows = new ArrayList<>(2 * pairs.size());
        pairs.forEach(p -> rows.add(p.chosen()));
        pairs.forEach(p -> rows.add(p.rejected()));
        return Batch.of(rows, 0);
    }

    /** Forward and backward over the micro-batches, leaving the summed gradients on the parameters. */
    public static Result accumulateGradients(DecoderModel model, List<List<ReferencedPair>> microBatches, double beta,
                                             NDManager scope) {
        int pairs = microBatches.stream().mapToInt(List::size).sum();
        double lossSum = 0;
        double marginSum = 0;
        double chosenSum = 0;
        double rejectedSum = 0;
        int won = 0;
        long learned = 0;
        long real = 0;
        for (List<ReferencedPair> micro : microBatches) {
            int n = micro.size();
            Batch batch = stacked(micro.stream().map(ReferencedPair::pair).toList());
            learned += batch.learnedTokens();
            real += batch.realTokens();
            try (NDManager m = scope.newSubManager();
                 GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logProbs = sequenceLogProbs(model, batch, m);               // (2n,)
                NDArray policyChosen = logProbs.get("0:" + n);                      // (n,)
                NDArray policyRejected = logProbs.get(n + ":");                     // (n,)
                NDArray referenceChosen = m.create(floats(micro, true));
                NDArray referenceRejected = m.create(floats(micro, false));
                NDArray margins = DpoLoss.margins(policyChosen, policyRejected, referenceChosen, referenceRejected, beta);
                NDArray sum = DpoLoss.perPair(margins).sum();
                collector.backward(sum.div(Ops.scalar(sum, pairs)));
                lossSum += sum.getFloat();
                for (float z : margins.toFloatArray()) {
                    marginSum += z;
                    won += z > 0 ? 1 : 0;
                }
                chosenSum += policyChosen.sub(referenceChosen).sum().getFloat() * beta;
                rejectedSum += policyRejected.sub(referenceRejected).sum().getFloat() * beta;
            }
        }
        return new Result(lossSum / pairs, marginSum / pairs, (double) won / pairs, chosenSum / pairs,
                rejectedSum / pairs, learned, real, pairs);
    }

    private static float[] floats(List<ReferencedPair> pairs, boolean chosen) {
        float[] values = new float[pairs.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (chosen ? pairs.get(i).referenceChosen() : pairs.get(i).referenceRejected());
        }
        return values;
    }
}
