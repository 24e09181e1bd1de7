package io.tuneloop.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.LoraAdapters;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.nn.PeftFormat;
import io.tuneloop.model.safetensors.DType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Supervised fine-tuning of a decoder, one range of optimizer steps at a time: from the base model
 * (the first range) or the checkpoint of the previous range, it trains steps [from, to) and writes
 * a checkpoint: the LoRA adapter in PEFT layout (or, fine-tuning fully, the whole model in Hugging
 * Face layout), the optimizer moments and trainer state (step, epoch, position in the epoch's
 * order, seed), and the base's tokenizer files. Ranges chained through checkpoints train exactly as
 * one uninterrupted range: the order, the schedule and the optimizer all follow from the state.
 */
public final class SftTrainer {
    public enum Mode {
        /** Low-rank adapters on the target projections; the base stays frozen. */
        LORA,
        /** Every parameter. */
        FULL
    }

    /**
     * @param mode            what is trained
     * @param lora            the adapters (LoRA only; null for full fine-tuning)
     * @param batchSize       examples per micro-batch
     * @param accumulation    micro-batches per optimizer step
     * @param maxGradNorm     clip threshold (0: none)
     * @param weightDecay     AdamW's decoupled weight decay
     * @param schedule        learning rate by step (over the whole run, not the range)
     * @param packedRowLength pack micro-batches into rows of this many tokens (0: one example a row)
     * @param seed            seeds the data order, the adapters' initialisation and dropout
     * @param evalExamples    validation examples scored after the range (0: none)
     * @param baseModelName   the base as the adapter's PEFT config names it
     */
    public record Settings(Mode mode, LoraAdapters.Config lora, int batchSize, int accumulation, double maxGradNorm,
                           double weightDecay, LrSchedule schedule, int packedRowLength, long seed, int evalExamples,
                           String baseModelName) {
        public Settings {
            if ((mode == Mode.LORA) != (lora != null)) {
                throw new IllegalArgumentException(mode + " training " + (lora == null ? "needs" : "takes no") + " LoRA settings");
            }
        }
    }

    /** The optimizer steps a range trains: [fromStep, toStep). */
    public record StepRange(long fromStep, long toStep) {
        public StepRange {
            if (fromStep < 0 || toStep <= fromStep) {
                throw new IllegalArgumentException("no steps in [" + fromStep + ", " + toStep + ")");
            }
        }
    }

    /** What a range did; {@code cancelled} when it stopped early on request (nothing was written). */
    public record Outcome(List<StepRecord> steps, Double validationLoss, TrainerState state, boolean cancelled,
                          double loadMillis, double trainMillis, double saveMillis) {
        public double meanLoss() {
            return steps.stream().mapToDouble(StepRecord::loss).average().orElse(Double.NaN);
        }

        public long tokens() {
            return steps.stream().mapToLong(StepRecord::tokens).sum();
        }
    }

    private SftTrainer() {
    }

    /**
     * @param baseModel  the base model directory (Hugging Face layout, with tokenizer files)
     * @param resume     the previous range's checkpoint directory, or null for the first range
     * @param output     where this range's checkpoint is written
     * @param onStep     called after every step (progress, metrics)
     * @param cancelled  polled before every step
     * @param writeSteps writes the range's steps into the checkpoint (a file the caller names)
     */
    public static Outcome train(Settings settings, Path baseModel, Path resume, List<SftExample> train,
                                List<SftExample> validation, StepRange range, Path output, Device device,
                                Consumer<StepRecord> onStep, BooleanSupplier cancelled,
                                Consumer<List<StepRecord>> writeSteps) {
        return RangeTraining.run(settings, baseModel, resume, range, output, device, onStep, cancelled, writeSteps,
                (model, adapters, trainable, adamW, state, from, root) -> {
                    TrainingLoop loop = new TrainingLoop(model, trainable, adamW, train, new TrainingLoop.Settings(
                            settings.batchSize(), settings.accumulation(), settings.maxGradNorm(), settings.schedule(),
                            settings.packedRowLength()), 0, root, state);
                    return new RangeTraining.Steps() {
                        @Override
                        public StepRecord step(long step) {
                            long t = System.nanoTime();
                            TrainStep.Result result = loop.step();
                            return new StepRecord(step, result.loss(), settings.schedule().at(step), result.gradNorm(),
                                    result.learnedTokens(), result.realTokens(), (System.nanoTime() - t) / 1e6);
                        }

                        @Override
                        public TrainerState state() {
                            return loop.state();
                        }

                        @Override
                        public Double validationLoss() {
                            return SftTrainer.validationLoss(model, validation, settings, root);
                        }

                        @Override
                        public void save(Path output) {
                            // an SFT checkpoint is the model, the optimizer and the state: nothing of its own
                        }
                    };
                });
    }

    /**
     * The run's final artifacts from its last checkpoint: for LoRA, the adapter (PEFT layout) and the
     * base with the adapter merged in; for full fine-tuning, the model. Each with the tokenizer files
     * and chat template, loadable by Hugging Face tools, in the base's dtype with the base's
     * config.json and companion files: only weights change.
     *
     * @param adapter where the adapter goes (LoRA only)
     */
    public static void writeFinal(Mode mode, String baseModelName, Path baseModel, Path lastCheckpoint, Path merged,
                                  Path adapter, Device device) {
        try (NDManager root = NDManager.newBaseManager(device);
             DecoderModel model = Models.load(mode == Mode.FULL ? lastCheckpoint : baseModel, root, device)) {
            if (mode == Mode.LORA) {
                try (LoraAdapters adapters = PeftFormat.load(lastCheckpoint, model, root)) {
                    PeftFormat.save(adapters, model, adapter, baseModelName);
                    Models.copyModelFiles(baseModel, adapter);
                    adapters.mergeInto(model); // the weights change; the adapters are not routed through
                }
            }
            DType exported = DType.ofTorchName(ModelConfig.read(baseModel.resolve(Models.CONFIG)).torchDtype());
            Models.save(model, merged, exported, RangeTraining.MAX_SHARD_BYTES);
            Models.copyModelFiles(baseModel, merged);
        }
    }

    /** Mean loss over the learned tokens of up to {@code evalExamples} validation examples; null when none. */
    static Double validationLoss(DecoderModel model, List<SftExample> validation, Settings settings,
                                         NDManager root) {
        List<SftExample> examples = validation.subList(0, Math.min(settings.evalExamples(), validation.size()));
        if (examples.isEmpty()) {
            return null;
        }
        double loss = LossEvaluation.meanLoss(model, examples, settings.batchSize(), 0, root);
        return Double.isNaN(loss) ? null : loss;
    }
}
