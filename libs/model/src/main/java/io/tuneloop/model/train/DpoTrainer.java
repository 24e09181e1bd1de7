package io.tuneloop.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.LoraAdapters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Direct preference optimization (sigmoid loss, see {@link DpoLoss}) of a decoder, one range of
 * optimizer steps at a time, exactly as {@link SftTrainer} ranges are chained: the same checkpoint
 * (adapter or whole model, optimizer moments, trainer state with the data cursor), plus the
 * reference log-probabilities ({@link ReferenceLogProbs}) computed by the first range from the model
 * the run starts from and carried by every checkpoint after it. Each step takes the next
 * {@code batchSize × accumulation} pairs in the seeded per-epoch order.
 */
public final class DpoTrainer {
    /**
     * @param training what is trained and how (as for SFT; packing is refused: a pair's two sequences
     *                 are compared whole)
     * @param beta     the strength of the pull towards the reference (TRL's default is 0.1)
     */
    public record Settings(SftTrainer.Settings training, double beta) {
        public Settings {
            if (!(beta > 0) || !Double.isFinite(beta)) {
                throw new IllegalArgumentException("DPO's beta must be a positive number, not " + beta);
            }
            if (training.packedRowLength() != 0) {
                throw new IllegalArgumentException("DPO does not pack sequences (a pair's chosen and rejected "
                        + "responses are scored whole); turn packing off");
            }
        }
    }

    private DpoTrainer() {
    }

    /**
     * @param baseModel the model the run starts from (Hugging Face layout): the policy's start and the
     *                  frozen reference
     * @param resume    the previous range's checkpoint directory, or null for the first range
     * @see SftTrainer#train
     */
    public static SftTrainer.Outcome train(Settings settings, Path baseModel, Path resume, List<PreferencePair> pairs,
                                           SftTrainer.StepRange range, Path output, Device device,
                                           Consumer<StepRecord> onStep, BooleanSupplier cancelled,
                                           Consumer<List<StepRecord>> writeSteps) {
        List<PreferencePair> train = List.copyOf(pairs);
        SftTrainer.Settings s = settings.training();
        return RangeTraining.run(s, baseModel, resume, range, output, device, onStep, cancelled, writeSteps,
                (model, adapters, trainable, adamW, state, from, root) -> {
                    ReferenceLogProbs reference = from == null ? startingReference(model, adapters, train, s, root)
                            : ReferenceLogProbs.load(from, train);
                    return new PreferenceSteps(model, trainable, adamW, train, reference, settings, state, root);
                });
    }

    /** The reference is the starting model itself: with LoRA, the base with the new adapter switched off. */
    private static ReferenceLogProbs startingReference(DecoderModel model, LoraAdapters adapters,
                                                       List<PreferencePair> pairs, SftTrainer.Settings settings,
                                                       NDManager root) {
        model.useAdapters(null);
        try {
            return ReferenceLogProbs.compute(model, pairs, settings.batchSize(), root);
        } finally {
            model.useAdapters(adapters);
        }
    }

    private static final class PreferenceSteps implements RangeTraining.Steps {
        private final DecoderModel model;
        private final Map<String, NDArray> trainable;
        private final AdamW adamW;
        private final List<PreferencePair> pairs;
        private final ReferenceLogProbs reference;
        private final Settings settings;
        private final EpochOrder order;
        private final NDManager root;

        PreferenceSteps(DecoderModel model, Map<String, NDArray> trainable, AdamW adamW, List<PreferencePair> pairs,
                        ReferenceLogProbs reference, Settings settings, TrainerState state, NDManager root) {
            this.model = model;
            this.trainable = trainable;
            this.adamW = adamW;
            this.pairs = pairs;
            this.reference = reference;
            this.settings = settings;
            this.order = new EpochOrder(pairs.size(), state);
            this.root = root;
            TrainStep.requireGradients(trainable);
        }

        @Override
        public StepRecord step(long step) {
            long t = System.nanoTime();
            SftTrainer.Settings s = settings.training();
            List<List<DpoStep.ReferencedPair>> micro = new ArrayList<>();
            for (int m = 0; m < s.accumulation(); m++) {
                List<DpoStep.ReferencedPair> batch = new ArrayList<>();
                for (int b = 0; b < s.batchSize(); b++) {
                    batch.add(reference.referenced(pairs, order.next()));
                }
                micro.add(batch);
            }
            order.seedEngine();
            double lr = s.schedule().at(step);
            TrainStep.Update<DpoStep.Result> update = TrainStep.update(model, trainable, adamW,
                    scope -> DpoStep.accumulateGradients(model, micro, settings.beta(), scope), DpoStep.Result::loss,
                    lr, s.maxGradNorm(), root);
            order.stepDone();
            DpoStep.Result r = update.backward();
            return new StepRecord(step, r.loss(), lr, update.gradNorm(), r.learnedTokens(), r.realTokens(),
                    (System.nanoTime() - t) / 1e6, r.margin(), r.accuracy());
        }

        @Override
        public TrainerState state() {
            return order.state();
        }

        @Override
        public Double validationLoss() {
            return null; // preference runs report their margin and accuracy per step
        }

        @Override
        public void save(Path output) {
            reference.save(output);
        }
    }
}
