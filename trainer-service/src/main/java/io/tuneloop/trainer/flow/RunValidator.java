package io.tuneloop.trainer.flow;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.LoraAdapters;

import java.util.List;
import java.util.Set;

/**
 * Checks a run against its model and data before anything is scheduled, and resolves what depends
 * on them (total steps from epochs, sequence length, LoRA targets): a run that cannot work is refused
 * with the reason instead of failing hours later.
 */
public final class RunValidator {
    static final Set<String> LLAMA_MODULES = Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");
    static final Set<String> GPT2_MODULES = Set.of("c_attn", "c_proj", "c_fc");

    private RunValidator() {
    }

    /**
     * @param memoryBytes memory the trainer may use (physical memory for CPU runs)
     */
    public static RunSpec resolve(RunSpec spec, ModelConfig model, DatasetManifest version, long memoryBytes) {
        String split = spec.preference() ? Splits.PREFERENCES : Splits.TRAIN;
        long trainExamples = version.splitCounts().getOrDefault(split, 0L);
        if (trainExamples == 0) {
            throw new IllegalArgumentException(spec.dataset() + " v" + spec.datasetVersion() + " has no "
                    + (spec.preference() ? "preference pairs (objective dpo trains on the preferences split)"
                    : "training examples"));
        }
        if (version.spec() == null || version.spec().model() == null) {
            throw new IllegalArgumentException(spec.dataset() + " v" + spec.datasetVersion() + " holds no token ids:"
                    + " set \"model\" in the dataset spec (PUT /api/v1/datasets/" + spec.dataset() + "/spec on the"
                    + " formatter) and seal a new version");
        }
        int context = model.maxPositions();
        int sequence = spec.maxSeqLength() == null ? Math.min(context, version.spec().maxTokens()) : spec.maxSeqLength();
        if (sequence > context) {
            throw new IllegalArgumentException("maxSeqLength " + sequence + " is beyond the model's context of " + context
                    + " tokens");
        }
        List<String> targets = spec.lora() == null ? null
                : spec.lora().targets() == null ? LoraAdapters.defaultTargets(model) : spec.lora().targets();
        if (targets != null) {
            Set<String> modules = model.architecture() == Architecture.GPT2 ? GPT2_MODULES : LLAMA_MODULES;
            for (String target : targets) {
                if (!modules.contains(target)) {
                    throw new IllegalArgumentException("LoRA target " + target + " does not exist in a "
                            + model.modelType() + " model; its projections are " + modules.stream().sorted().toList());
                }
            }
        }
        long steps = spec.totalSteps() != null ? spec.totalSteps()
                : spec.epochs() * ((trainExamples + spec.examplesPerStep() - 1) / spec.examplesPerStep());
        RunSpec resolved = spec.resolved(steps, sequence, targets);
        long needed = memoryEstimate(resolved, model);
        if (needed > memoryBytes * 0.9) {
            throw new IllegalArgumentException("the run needs about " + needed / (1 << 20) + " MiB (weights, gradients,"
                    + " optimizer state and activations for batch " + spec.batchSize() + " x " + sequence + " tokens) but "
                    + memoryBytes / (1 << 20) + " MiB are available: lower batchSize or maxSeqLength, use"
                    + " gradientAccumulation, or LoRA");
        }
        return resolved;
    }

    /**
     * A rough upper bound in bytes: float32 weights; for full fine-tuning also gradients and two AdamW
     * moments (16 bytes per parameter in all); for LoRA the adapters' share of that; and activations
     * kept for the backward pass of one micro-batch, ~(34·C + 5·H·T) bytes per token per layer in
     * float32-equivalent (Korthikanti et al., 2022, without recomputation) plus the logits (B·T·V).
     */
    public static long memoryEstimate(RunSpec spec, ModelConfig model) {
        long c = model.hiddenSize();
        long layers = model.numLayers();
        long v = model.vocabSize();
        long parameters = v * c * (model.tieWordEmbeddings() ? 1 : 2)
                + layers * (4 * c * c + 3 * c * model.intermediateSize());
        long weights = 4 * parameters;
        long training;
        if (spec.mode().equals("full")) {
            training = 12 * parameters;
        } else {
            long adapters = layers * spec.lora().targets().size() * (long) spec.lora().rank() * 2 * c;
            training = 16 * adapters;
        }
        // a preference micro-batch runs each pair's chosen and rejected sequence: twice the rows
        long tokens = (long) spec.batchSize() * spec.maxSeqLength() * (spec.preference() ? 2 : 1);
        long activations = tokens * layers * (34 * c + 5L * model.numHeads() * spec.maxSeqLength()) * 2
                + tokens * v * 4 * 3;
        return weights + training + activations;
    }
}
