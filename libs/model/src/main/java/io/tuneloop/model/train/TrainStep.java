package io.tuneloop.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Ops;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * One optimizer step over micro-batches: forward and backward per micro-batch (gradients add up),
 * each micro-batch's loss SUM divided by the learned tokens of ALL micro-batches, so the step equals
 * one batch of their union; then clipping by global norm and the AdamW update. A step whose loss or
 * gradient norm is not finite is not applied: it fails with {@link NonFiniteStepException}.
 */
public final class TrainStep {
    /** What a step did: mean loss over learned tokens, tokens seen, gradient norm before clipping. */
    public record Result(double loss, long learnedTokens, long realTokens, double gradNorm) {
    }

    private TrainStep() {
    }

    /** Marks every parameter of {@code trainable} as learned. */
    public static void requireGradients(Map<String, NDArray> trainable) {
        trainable.values().forEach(p -> p.setRequiresGradient(true));
    }

    public static Result run(DecoderModel model, Map<String, NDArray> trainable, AdamW optimizer,
                             List<Batch> microBatches, double lr, double maxGradNorm, NDManager root) {
        Update<Result> update = update(model, trainable, optimizer,
                scope -> accumulateGradients(model, microBatches, scope), Result::loss, lr, maxGradNorm, root);
        Result backward = update.backward();
        return new Result(backward.loss(), backward.learnedTokens(), backward.realTokens(), update.gradNorm());
    }

    /** What an update did: the objective's account of its backward pass, and the gradient norm before clipping. */
    public record Update<R>(R backward, double gradNorm) {
    }

    /**
     * One optimizer step of any objective: {@code backward} leaves the step's gradients on the
     * parameters (borrowed by the scope it is given) and reports; {@code loss} reads the step's loss
     * from that report. Then clipping and the AdamW update, or, when the loss or the norm is not
     * finite, no update and {@link NonFiniteStepException}.
     */
    public static <R> Update<R> update(DecoderModel model, Map<String, NDArray> trainable, AdamW optimizer,
                                       Function<NDManager, R> backward, ToDoubleFunction<R> loss, double lr,
                                       double maxGradNorm, NDManager root) {
        io.tuneloop.model.nn.GradMode.disable(); // the update below is in place: no autograd outside the collector
        try (NDManager step = root.newSubManager()) {
            model.borrowParameters(step);
            R report = backward.apply(step);
            double stepLoss = loss.applyAsDouble(report);
            if (!Double.isFinite(stepLoss)) {
                zeroGradients(trainable, step);
                throw new NonFiniteStepException("loss", stepLoss);
            }
            double gradNorm = clipGradients(trainable, maxGradNorm, step);
            if (!Double.isFinite(gradNorm)) {
                zeroGradients(trainable, step);
                throw new NonFiniteStepException("gradient norm", gradNorm);
            }
            optimizer.step(trainable, lr);
            zeroGradients(trainable, step);
            return new Update<>(report, gradNorm);
        }
    }

    /**
     * Forward and backward over the micro-batches, leaving the summed gradients on the parameters:
     * each micro-batch contributes (its loss sum) / (learned tokens of all micro-batches).
     * The model's parameters must be borrowed by {@code scope} (or one of its parents).
     */
    public static Result accumulateGradients(DecoderModel model, List<Batch> microBatches, NDManager scope) {
        long learned = microBatches.stream().mapToLong(Batch::learnedTokens).sum();
        if (learned == 0) {
            throw new IllegalArgumentException("no learned token in this step's batches (all labels masked)");
        }
        long real = microBatches.stream().mapToLong(Batch::realTokens).sum();
        double lossSum = 0;
        for (Batch batch : microBatches) {
            try (NDManager micro = scope.newSubManager();
                 GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(batch.inputIds(micro), batch.positions(micro), batch.mask(micro), null);
                NDArray sum = CausalLmLoss.sum(logits, batch.targets(micro));
                collector.backward(sum.div(Ops.scalar(sum, learned)));
                lossSum += sum.getFloat();
            }
        }
        return new Result(lossSum / learned, learned, real, Double.NaN);
    }

    /** Scales all gradients so that their global L2 norm is at most {@code maxNorm}; returns the norm before. */
    public static double clipGradients(Map<String, NDArray> parameters, double maxNorm, NDManager scope) {
        double squared = 0;
        for (NDArray p : parameters.values()) {
            NDArray g = p.getGradient();
            g.tempAttach(scope);
            squared += g.mul(g).sum().getFloat();
        }
        double norm = Math.sqrt(squared);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (NDArray p : parameters.values()) {
                NDArray g = p.getGradient();
                g.tempAttach(scope);
                g.muli(Ops.scalar(g, scale));
            }
        }
        return norm;
    }

    public static void zeroGradients(Map<String, NDArray> parameters, NDManager scope) {
        for (NDArray p : parameters.values()) {
            NDArray g = p.getGradient();
            g.tempAttach(scope);
            g.subi(g);
        }
    }
}
