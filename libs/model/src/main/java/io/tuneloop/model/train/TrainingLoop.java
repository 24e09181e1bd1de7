package io.tuneloop.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.nn.DecoderModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Steps of a supervised fine-tuning run over a fixed list of examples: each step takes the next
 * {@code batchSize × accumulation} examples in a seeded per-epoch order, as {@code accumulation}
 * micro-batches. The order, the learning rate and the optimizer all follow from the
 * {@link TrainerState}, so a run resumed from a checkpoint continues exactly as if never stopped.
 */
public final class TrainingLoop {
    /**
     * @param batchSize    examples per micro-batch
     * @param accumulation micro-batches per optimizer step
     * @param maxGradNorm  clip threshold (0 = no clipping)
     * @param schedule     learning rate by step
     * @param packedRowLength pack each micro-batch's examples into rows of this many tokens (0 = one
     *                     example per row); packing changes the speed, not the result
     */
    public record Settings(int batchSize, int accumulation, double maxGradNorm, LrSchedule schedule, int packedRowLength) {
        public Settings(int batchSize, int accumulation, double maxGradNorm, LrSchedule schedule) {
            this(batchSize, accumulation, maxGradNorm, schedule, 0);
        }
    }

    private final DecoderModel model;
    private final Map<String, NDArray> trainable;
    private final AdamW optimizer;
    private final List<SftExample> examples;
    private final Settings settings;
    private final long padId;
    private final NDManager root;
    private final EpochOrder order;

    public TrainingLoop(DecoderModel model, Map<String, NDArray> trainable, AdamW optimizer, List<SftExample> examples,
                        Settings settings, long padId, NDManager root, TrainerState state) {
        this.model = model;
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.examples = List.copyOf(examples);
        this.settings = settings;
        this.padId = padId;
        this.root = root;
        this.order = new EpochOrder(examples.size(), state);
        TrainStep.requireGradients(trainable);
    }

    public TrainStep.Result step() {
        List<Batch> micro = new ArrayList<>();
        for (int m = 0; m < settings.accumulation(); m++) {
            List<SftExample> batch = new ArrayList<>();
            for (int b = 0; b < settings.batchSize(); b++) {
                batch.add(examples.get(order.next()));
            }
            micro.add(settings.packedRowLength() > 0 ? Batch.packed(batch, settings.packedRowLength(), padId)
                    : Batch.of(batch, padId));
        }
        order.seedEngine();
        TrainStep.Result result = TrainStep.run(model, trainable, optimizer, micro,
                settings.schedule().at(order.state().step()), settings.maxGradNorm(), root);
        order.stepDone();
        return result;
    }

    public TrainerState state() {
        return order.state();
    }
}
