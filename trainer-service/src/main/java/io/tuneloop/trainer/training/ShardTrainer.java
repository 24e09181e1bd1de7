package io.tuneloop.trainer.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.LoraAdapters;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.nn.PeftFormat;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.train.AdamW;
import io.tuneloop.model.train.LossEvaluation;
import io.tuneloop.model.train.LrSchedule;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.model.train.TrainStep;
import io.tuneloop.model.train.TrainerState;
import io.tuneloop.model.train.TrainingCheckpoint;
import io.tuneloop.model.train.TrainingLoop;
import io.tuneloop.trainer.run.RunSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Trains one shard of a run: steps [from, to) of the run's plan, starting from the base model
 * (shard 0) or the previous shard's checkpoint, and writes this shard's checkpoint to a local
 * directory: the LoRA adapter in PEFT layout (or, for full fine-tuning, the whole model in Hugging
 * Face layout), the optimizer moments and trainer state (step, epoch, position in the epoch's order,
 * seed), the tokenizer files, and {@code steps.json} with every step's loss. Everything the next
 * shard needs to continue as if the run had never stopped.
 */
public final class ShardTrainer {
    public static final String STEPS = "steps.json";
    private static final long MAX_SHARD_BYTES = 2L << 30;

    /** What a shard did; {@code cancelled} when it stopped early on request (nothing was written). */
    public record Outcome(List<StepRecord> steps, Double validationLoss, TrainerState state, boolean cancelled,
                          double loadMillis, double trainMillis, double saveMillis) {
        public double meanLoss() {
            return steps.stream().mapToDouble(StepRecord::loss).average().orElse(Double.NaN);
        }

        public long tokens() {
            return steps.stream().mapToLong(StepRecord::tokens).sum();
        }
    }

    private ShardTrainer() {
    }

    /** The learning-rate schedule of a run (a pure function of the step). */
    public static LrSchedule schedule(RunSpec spec) {
        RunSpec.Optimizer o = spec.optimizer();
        return o.schedule().equals("constant")
                ? new LrSchedule(o.learningRate(), o.warmupSteps(), spec.totalSteps(), LrSchedule.Shape.CONSTANT, 1)
                : LrSchedule.cosine(o.learningRate(), o.warmupSteps(), spec.totalSteps(), o.minLrRatio());
    }

    /** LoRA targets used when a spec names none: the attention query and value projections. */
    public static List<String> defaultLoraTargets(ModelConfig config) {
        return config.architecture() == Architecture.GPT2 ? List.of("c_attn") : List.of("q_proj", "v_proj");
    }

    public static Device device(String name) {
        if (name.equals("cpu")) {
            return Device.cpu();
        }
        int gpus = Engine.getInstance().getGpuCount();
        int index = name.contains(":") ? Integer.parseInt(name.substring(name.indexOf(':') + 1)) : 0;
        if (index >= gpus) {
            throw new IllegalArgumentException("device " + name + " requested, but this trainer sees " + gpus
                    + " GPU(s) (the CPU image has none; use the GPU image, see docs/djl-notes.md)");
        }
        return Device.gpu(index);
    }

    /**
     * @param baseModel the base model directory (Hugging Face layout, with tokenizer files)
     * @param resume    the previous shard's checkpoint directory, or null for the run's first shard
     * @param output    where this shard's checkpoint is written
     * @param onStep    called after every step (progress, metrics)
     * @param cancelled polled before every step
     */
    public static Outcome train(RunSpec spec, Path baseModel, Path resume, TrainingData data, long fromStep, long toStep,
                                Path output, Consumer<StepRecord> onStep, BooleanSupplier cancelled) {
        long started = System.nanoTime();
        Device device = device(spec.device());
        try (NDManager root = NDManager.newBaseManager(device);
             DecoderModel model = Models.load(spec.mode().equals("full") && resume != null ? resume : baseModel, root, device)) {
            LoraAdapters adapters = null;
            Map<String, NDArray> trainable;
            if (spec.mode().equals("lora")) {
                RunSpec.Lora lora = spec.lora();
                adapters = resume == null
                        ? LoraAdapters.create(model, new LoraAdapters.Config(lora.rank(), lora.alpha(), lora.dropout(),
                        lora.targets(), lora.useRslora()), spec.seed(), root)
                        : PeftFormat.load(resume, model, root);
                model.useAdapters(adapters);
                adapters.training(true);
                trainable = adapters.parameters();
            } else {
                trainable = model.parameters();
            }
            try (AdamW adamW = AdamW.defaults(root, spec.optimizer().weightDecay())) {
                TrainerState state = resume == null ? TrainerState.start(spec.seed())
                        : TrainingCheckpoint.load(resume, adamW, trainable);
                if (state.step() != fromStep) {
                    throw new IllegalStateException("shard starts at step " + fromStep + " but its checkpoint is at step "
                            + state.step());
                }
                int packedRow = spec.packing() ? spec.maxSeqLength() : 0;
                TrainingLoop loop = new TrainingLoop(model, trainable, adamW, data.train(), new TrainingLoop.Settings(
                        spec.batchSize(), spec.gradientAccumulation(), spec.optimizer().maxGradNorm(), schedule(spec),
                        packedRow), 0, root, state);
                double loadMillis = (System.nanoTime() - started) / 1e6;

                long trainStart = System.nanoTime();
                List<StepRecord> steps = new ArrayList<>();
                LrSchedule schedule = schedule(spec);
                for (long step = fromStep; step < toStep; step++) {
                    if (cancelled.getAsBoolean()) {
                        return new Outcome(steps, null, loop.state(), true, loadMillis,
                                (System.nanoTime() - trainStart) / 1e6, 0);
                    }
                    long t = System.nanoTime();
                    TrainStep.Result result = loop.step();
                    StepRecord record = new StepRecord(step, result.loss(), schedule.at(step), result.gradNorm(),
                            result.learnedTokens(), result.realTokens(), (System.nanoTime() - t) / 1e6);
                    steps.add(record);
                    onStep.accept(record);
                }
                if (adapters != null) {
                    adapters.training(false);
                }
                Double validationLoss = validationLoss(model, data.validation(), spec, root);
                double trainMillis = (System.nanoTime() - trainStart) / 1e6;

                long saveStart = System.nanoTime();
                if (adapters != null) {
                    PeftFormat.save(adapters, model, output, spec.baseModel());
                } else {
                    Models.save(model, output, DType.F32, MAX_SHARD_BYTES);
                }
                TrainingCheckpoint.save(output, loop.state(), adamW);
                Models.copyModelFiles(baseModel, output);
                StepsFile.write(output.resolve(STEPS), steps);
                return new Outcome(steps, validationLoss, loop.state(), false, loadMillis, trainMillis,
                        (System.nanoTime() - saveStart) / 1e6);
            }
        }
    }

    /**
     * The run's final artifacts from its last checkpoint: for LoRA, the adapter (PEFT layout) and the
     * base with the adapter merged in; for full fine-tuning, the model. Each with the tokenizer files
     * and chat template, loadable by Hugging Face tools.
     */
    public static void writeFinal(RunSpec spec, Path baseModel, Path lastCheckpoint, Path merged, Path adapter) {
        Device device = device(spec.device());
        try (NDManager root = NDManager.newBaseManager(device);
             DecoderModel model = Models.load(spec.mode().equals("full") ? lastCheckpoint : baseModel, root, device)) {
            if (spec.mode().equals("lora")) {
                try (LoraAdapters adapters = PeftFormat.load(lastCheckpoint, model, root)) {
                    PeftFormat.save(adapters, model, adapter, spec.baseModel());
                    Models.copyModelFiles(baseModel, adapter);
                    adapters.mergeInto(model);
                }
            }
            // the export is in the base's dtype, with the base's config.json and companion files: only weights change
            DType exported = DType.ofTorchName(ModelConfig.read(baseModel.resolve(Models.CONFIG)).torchDtype());
            Models.save(model, merged, exported, MAX_SHARD_BYTES);
            Models.copyModelFiles(baseModel, merged);
        }
    }

    /** Mean loss over the learned tokens of up to {@code evalExamples} validation examples; null when none. */
    static Double validationLoss(DecoderModel model, List<SftExample> validation, RunSpec spec, NDManager root) {
        List<SftExample> examples = validation.subList(0, Math.min(spec.evalExamples(), validation.size()));
        if (examples.isEmpty()) {
            return null;
        }
        double loss = LossEvaluation.meanLoss(model, examples, spec.batchSize(), 0, root);
        return Double.isNaN(loss) ? null : loss;
    }
}
