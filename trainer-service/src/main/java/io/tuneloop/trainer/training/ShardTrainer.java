package io.tuneloop.trainer.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.tuneloop.model.nn.LoraAdapters;
import io.tuneloop.model.train.DpoTrainer;
import io.tuneloop.model.train.LrSchedule;
import io.tuneloop.model.train.SftTrainer;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.store.Artifacts;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.flow.TrainingData;
import io.tuneloop.trainer.store.StepsFile;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A run spec as the model library's {@link SftTrainer} (or, objective dpo, {@link DpoTrainer}) takes it: the mode, the adapters, the
 * schedule over the whole run and the step range of one shard; and the checkpoint's steps file
 * ({@code steps.json}, every step's loss) written next to what the trainer saves.
 */
public final class ShardTrainer {
    private ShardTrainer() {
    }

    /** The learning-rate schedule of a run (a pure function of the step). */
    public static LrSchedule schedule(RunSpec spec) {
        RunSpec.Optimizer o = spec.optimizer();
        return o.schedule().equals("constant")
                ? new LrSchedule(o.learningRate(), o.warmupSteps(), spec.totalSteps(), LrSchedule.Shape.CONSTANT, 1)
                : LrSchedule.cosine(o.learningRate(), o.warmupSteps(), spec.totalSteps(), o.minLrRatio());
    }

    public static SftTrainer.Mode mode(RunSpec spec) {
        return switch (spec.mode()) {
            case "lora" -> SftTrainer.Mode.LORA;
            case "full" -> SftTrainer.Mode.FULL;
            default -> throw new IllegalArgumentException("unknown mode " + spec.mode()); // validated before
        };
    }

    public static SftTrainer.Settings settings(RunSpec spec) {
        SftTrainer.Mode mode = mode(spec);
        RunSpec.Lora lora = spec.lora();
        return new SftTrainer.Settings(mode, mode == SftTrainer.Mode.LORA ? new LoraAdapters.Config(lora.rank(),
                lora.alpha(), lora.dropout(), lora.targets(), lora.useRslora()) : null, spec.batchSize(),
                spec.gradientAccumulation(), spec.optimizer().maxGradNorm(), spec.optimizer().weightDecay(),
                schedule(spec), spec.packing() ? spec.maxSeqLength() : 0, spec.seed(), spec.evalExamples(),
                spec.baseModel());
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
     * Trains steps [from, to) of the run into a checkpoint in {@code output}.
     *
     * @param baseModel the base model directory (Hugging Face layout, with tokenizer files)
     * @param resume    the previous shard's checkpoint directory, or null for the run's first shard
     */
    public static SftTrainer.Outcome train(RunSpec spec, Path baseModel, Path resume, TrainingData data, long fromStep,
                                           long toStep, Path output, Consumer<StepRecord> onStep,
                                           BooleanSupplier cancelled) {
        SftTrainer.StepRange range = new SftTrainer.StepRange(fromStep, toStep);
        Consumer<java.util.List<StepRecord>> writeSteps = steps -> StepsFile.write(output.resolve(Artifacts.STEPS_FILE), steps);
        if (spec.preference()) {
            return DpoTrainer.train(new DpoTrainer.Settings(settings(spec), spec.dpo().beta()), baseModel, resume,
                    data.preferences(), range, output, device(spec.device()), onStep, cancelled, writeSteps);
        }
        return SftTrainer.train(settings(spec), baseModel, resume, data.train(spec.feedbackShare()), data.validation(), range, output,
                device(spec.device()), onStep, cancelled, writeSteps);
    }

    /** The run's final artifacts from its last checkpoint (see {@link SftTrainer#writeFinal}). */
    public static void writeFinal(RunSpec spec, Path baseModel, Path lastCheckpoint, Path merged, Path adapter) {
        SftTrainer.writeFinal(mode(spec), spec.baseModel(), baseModel, lastCheckpoint, merged, adapter,
                device(spec.device()));
    }
}
