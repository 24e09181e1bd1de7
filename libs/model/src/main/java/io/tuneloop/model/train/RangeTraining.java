package io.tuneloop.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * What every kind of training does around its steps, for one range of a run: load the base (or, fully
 * fine-tuning, the previous range's weights), create or restore the adapters, restore the optimizer
 * and the trainer state, train steps [from, to), and write the checkpoint (adapter in PEFT layout or
 * the whole model, optimizer moments, trainer state, the objective's own files, the tokenizer files).
 * The {@link Objective} is what differs: supervised next-token loss, or preference optimization.
 */
final class RangeTraining {
    /** Largest safetensors shard a checkpoint or final model is written in. */
    static final long MAX_SHARD_BYTES = 2L << 30;

    /** A kind of training: it turns the loaded model into steps. */
    interface Objective {
        /**
         * Called once the model is loaded, its adapters (if any) routed through but not yet in
         * training mode (no dropout), and the state restored: before the first step of the range.
         *
         * @param resume the previous range's checkpoint, or null for the run's first range
         */
        Steps begin(DecoderModel model, LoraAdapters adapters, Map<String, NDArray> trainable, AdamW adamW,
                    TrainerState state, Path resume, NDManager root);
    }

    /** The steps of a range, as an objective takes them. */
    interface Steps {
        StepRecord step(long step);

        TrainerState state();

        /** After the last step, with the adapters out of training mode; null when there is none. */
        Double validationLoss();

        /** Writes the objective's own files into the checkpoint. */
        void save(Path output);
    }

    private RangeTraining() {
    }

    static SftTrainer.Outcome run(SftTrainer.Settings settings, Path baseModel, Path resume, SftTrainer.StepRange range,
                                  Path output, Device device, Consumer<StepRecord> onStep, BooleanSupplier cancelled,
                                  Consumer<List<StepRecord>> writeSteps, Objective objective) {
        long started = System.nanoTime();
        if (resume != null && Models.isAdapterCheckpoint(resume) != (settings.mode() == SftTrainer.Mode.LORA)) {
            throw new IllegalStateException("a " + settings.mode() + " range cannot resume from " + resume + ", which holds "
                    + (Models.isAdapterCheckpoint(resume) ? "a LoRA adapter" : "full weights"));
        }
        try (NDManager root = NDManager.newBaseManager(device);
             DecoderModel model = settings.mode() == SftTrainer.Mode.FULL && resume != null
                     ? Models.loadCheckpoint(baseModel, resume, root, device)
                     : Models.load(baseModel, root, device)) {
            LoraAdapters adapters = null;
            Map<String, NDArray> trainable;
            if (settings.mode() == SftTrainer.Mode.LORA) {
                adapters = resume == null ? LoraAdapters.create(model, settings.lora(), settings.seed(), root)
                        : PeftFormat.load(resume, model, root);
                model.useAdapters(adapters);
                trainable = adapters.parameters();
            } else {
                trainable = model.parameters();
            }
            try (AdamW adamW = AdamW.defaults(root, settings.weightDecay())) {
                TrainerState state = resume == null ? TrainerState.start(settings.seed())
                        : TrainingCheckpoint.load(resume, adamW, trainable);
                if (state.step() != range.fromStep()) {
                    throw new IllegalStateException("the range starts at step " + range.fromStep()
                            + " but its checkpoint is at step " + state.step());
                }
                Steps steps = objective.begin(model, adapters, trainable, adamW, state, resume, root);
                if (adapters != null) {
                    adapters.training(true);
                }
                double loadMillis = (System.nanoTime() - started) / 1e6;

                long trainStart = System.nanoTime();
                List<StepRecord> done = new ArrayList<>();
                for (long step = range.fromStep(); step < range.toStep(); step++) {
                    if (cancelled.getAsBoolean()) {
                        return new SftTrainer.Outcome(done, null, steps.state(), true, loadMillis,
                                (System.nanoTime() - trainStart) / 1e6, 0);
                    }
                    StepRecord record = steps.step(step);
                    done.add(record);
                    onStep.accept(record);
                }
                if (adapters != null) {
                    adapters.training(false);
                }
                Double validationLoss = steps.validationLoss();
                double trainMillis = (System.nanoTime() - trainStart) / 1e6;

                long saveStart = System.nanoTime();
                if (adapters != null) {
                    PeftFormat.save(adapters, model, output, settings.baseModelName());
                } else {
                    Models.save(model, output, DType.F32, MAX_SHARD_BYTES);
                }
                TrainingCheckpoint.save(output, steps.state(), adamW);
                steps.save(output);
                Models.copyModelFiles(baseModel, output);
                writeSteps.accept(done);
                return new SftTrainer.Outcome(done, validationLoss, steps.state(), false, loadMillis, trainMillis,
                        (System.nanoTime() - saveStart) / 1e6);
            }
        }
    }
}
