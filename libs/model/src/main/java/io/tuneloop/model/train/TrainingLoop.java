package io.tuneloop.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.nn.DecoderModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

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
    private TrainerState state;
    private int[] order;

    public TrainingLoop(DecoderModel model, Map<String, NDArray> trainable, AdamW optimizer, List<SftExample> examples,
                        Settings settings, long padId, NDManager root, TrainerState state) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("nothing to train on");
        }
        this.model = model;
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.examples = List.copyOf(examples);
        this.settings = settings;
        this.padId = padId;
        this.root = root;
        this.state = state;
        this.order = permutation(state.seed(), state.epoch(), examples.size());
        TrainStep.requireGradients(trainable);
    }

    /** The order of epoch {@code epoch}: a Fisher-Yates shuffle seeded by (seed, epoch). */
    static int[] permutation(long seed, int epoch, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed * 1_000_003L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    public TrainStep.Result step() {
        List<Batch> micro = new ArrayList<>();
        for (int m = 0; m < settings.accumulation(); m++) {
            List<SftExample> batch = new ArrayList<>();
            for (int b = 0; b < settings.batchSize(); b++) {
                batch.add(next());
            }
            micro.add(settings.packedRowLength() > 0 ? Batch.packed(batch, settings.packedRowLength(), padId)
                    : Batch.of(batch, padId));
        }
        // the engine's generator (LoRA dropout) restarts from (seed, step): resumed runs draw the same numbers
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) (state.seed() * 1_000_003L + state.step()));
        TrainStep.Result result = TrainStep.run(model, trainable, optimizer, micro,
                settings.schedule().at(state.step()), settings.maxGradNorm(), root);
        state = new TrainerState(state.step() + 1, state.epoch(), state.position(), state.seed());
        return result;
    }

    private SftExample next() {
        if (state.position() >= examples.size()) {
            state = new TrainerState(state.step(), state.epoch() + 1, 0, state.seed());
            order = permutation(state.seed(), state.epoch(), examples.size());
        }
        SftExample example = examples.get(order[state.position()]);
        state = new TrainerState(state.step(), state.epoch(), state.position() + 1, state.seed());
        return example;
    }

    public TrainerState state() {
        return state;
    }
}
