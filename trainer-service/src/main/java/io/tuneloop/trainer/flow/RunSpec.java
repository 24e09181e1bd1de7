package io.tuneloop.trainer.flow;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a run trains and how. Every optional field has a default filled in on construction, and the
 * stored spec is the resolved one (with {@code totalSteps} computed from {@code epochs}), so every
 * shard, resume and replay of the run sees the same numbers.
 *
 * @param runId                unique id; chosen by the server when absent
 * @param baseModel            base model name (object-store {@code models/<name>/}, Hugging Face layout)
 * @param dataset              dataset name
 * @param datasetVersion       sealed version to train on (its examples must carry token ids)
 * @param round                feedback round this run belongs to (0 for the first)
 * @param mode                 "lora" (adapters on the targets; the base stays frozen) or "full"
 * @param lora                 LoRA rank, alpha, dropout and target modules (mode lora)
 * @param epochs               passes over the training split; used when totalSteps is absent
 * @param totalSteps           optimizer steps of the whole run
 * @param batchSize            examples per micro-batch
 * @param gradientAccumulation micro-batches per optimizer step
 * @param maxSeqLength         longest sequence in tokens (at most the model's context)
 * @param packing              pack several examples per row (attention never crosses examples)
 * @param optimizer            AdamW and learning-rate schedule
 * @param shardSteps           optimizer steps per shard (each shard ends with a checkpoint)
 * @param seed                 data order, LoRA init and dropout
 * @param device               "cpu", "gpu" or "gpu:N"
 * @param evalExamples         validation examples scored at the end of every shard (0 = none)
 * @param objective            "sft" (next-token loss on the version's train split) or "dpo" (direct preference
 *                             optimization on its preferences split); either with {@code mode} lora or full
 * @param dpo                  DPO's beta (objective dpo)
 * @param initFrom             a run whose final model this run starts from (and, for DPO, takes as its
 *                             frozen reference) instead of the base model; the base stays what eval
 *                             compares with. Null: start from the base
 * @param startedBy            who started the run: the caller's token user, or {@code service:trainer/policy:<name>};
 *                             set by the service, refused in a request
 * @param feedbackShare        share of the training draws that are the version's feedback samples (examples of
 *                             template {@code feedback}); the rest is a replay of its other training examples.
 *                             Null: every example as often as the version holds it. A round that continues from
 *                             the previous round's model learns from a few dozen corrections this way without
 *                             forgetting what it knew
 */
public record RunSpec(String runId, String baseModel, String dataset, Integer datasetVersion, Integer round,
                      String mode, Lora lora, Integer epochs, Long totalSteps, Integer batchSize,
                      Integer gradientAccumulation, Integer maxSeqLength, Boolean packing, Optimizer optimizer,
                      Long shardSteps, Long seed, String device, Integer evalExamples, String objective, Dpo dpo,
                      String initFrom, String startedBy, Double feedbackShare) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern DEVICE = Pattern.compile("cpu|gpu(:\\d{1,2})?");

    /** LoRA settings (PEFT's r, lora_alpha, lora_dropout, target_modules). */
    public record Lora(Integer rank, Double alpha, Double dropout, List<String> targets, Boolean useRslora) {
        public Lora {
            rank = rank == null ? 8 : rank;
            alpha = alpha == null ? 2.0 * rank : alpha;
            dropout = dropout == null ? 0.0 : dropout;
            targets = targets == null ? null : List.copyOf(targets);
            useRslora = useRslora != null && useRslora;
        }

        public Lora(Integer rank, Double alpha, Double dropout, List<String> targets) {
            this(rank, alpha, dropout, targets, null);
        }
    }

    /** Direct preference optimization: the sigmoid loss's beta (TRL's default 0.1). */
    public record Dpo(Double beta) {
        public Dpo {
            beta = beta == null ? 0.1 : beta;
        }
    }

    /** AdamW with a warmup then cosine (or constant) learning rate. */
    public record Optimizer(Double learningRate, Double weightDecay, String schedule, Long warmupSteps,
                            Double minLrRatio, Double maxGradNorm) {
        public Optimizer {
            learningRate = learningRate == null ? 2e-4 : learningRate;
            weightDecay = weightDecay == null ? 0.0 : weightDecay;
            schedule = schedule == null ? "cosine" : schedule.toLowerCase(Locale.ROOT);
            warmupSteps = warmupSteps == null ? 0L : warmupSteps;
            minLrRatio = minLrRatio == null ? 0.1 : minLrRatio;
            maxGradNorm = maxGradNorm == null ? 1.0 : maxGradNorm;
        }
    }

    public RunSpec {
        round = round == null ? 0 : round;
        mode = mode == null ? "lora" : mode.toLowerCase(Locale.ROOT);
        lora = mode.equals("lora") ? (lora == null ? new Lora(null, null, null, null) : lora) : null;
        batchSize = batchSize == null ? 4 : batchSize;
        gradientAccumulation = gradientAccumulation == null ? 1 : gradientAccumulation;
        packing = packing != null && packing;
        optimizer = optimizer == null ? new Optimizer(null, null, null, null, null, null) : optimizer;
        seed = seed == null ? 42L : seed;
        device = device == null ? "cpu" : device.toLowerCase(Locale.ROOT);
        evalExamples = evalExamples == null ? 64 : evalExamples;
        objective = objective == null ? "sft" : objective.toLowerCase(Locale.ROOT);
        dpo = objective.equals("dpo") ? (dpo == null ? new Dpo(null) : dpo) : dpo;
    }

    public RunSpec(String runId, String baseModel, String dataset, Integer datasetVersion, Integer round, String mode,
                   Lora lora, Integer epochs, Long totalSteps, Integer batchSize, Integer gradientAccumulation,
                   Integer maxSeqLength, Boolean packing, Optimizer optimizer, Long shardSteps, Long seed, String device,
                   Integer evalExamples) {
        this(runId, baseModel, dataset, datasetVersion, round, mode, lora, epochs, totalSteps, batchSize,
                gradientAccumulation, maxSeqLength, packing, optimizer, shardSteps, seed, device, evalExamples, null, null,
                null, null, null);
    }

    public boolean preference() {
        return objective.equals("dpo");
    }

    /** Throws {@link IllegalArgumentException} naming the first invalid field. */
    public RunSpec validated() {
        check(runId != null && NAME.matcher(runId).matches(), "runId must be 1-63 characters of a-z, 0-9, '.', '_', '-'");
        check(baseModel != null && NAME.matcher(baseModel).matches(), "baseModel must name a model under models/");
        check(dataset != null && NAME.matcher(dataset).matches(), "dataset must be a dataset name");
        check(datasetVersion != null && datasetVersion >= 1, "datasetVersion must be >= 1");
        check(round >= 0, "round must be >= 0");
        check(mode.equals("lora") || mode.equals("full"), "mode must be lora or full");
        if (lora != null) {
            check(lora.rank() >= 1 && lora.rank() <= 1024, "lora.rank must be 1-1024");
            check(lora.alpha() > 0, "lora.alpha must be positive");
            check(lora.dropout() >= 0 && lora.dropout() < 1, "lora.dropout must be in [0, 1)");
            check(lora.targets() == null || !lora.targets().isEmpty(), "lora.targets must name at least one module");
        }
        check(totalSteps != null || epochs != null, "give totalSteps or epochs");
        check(totalSteps == null || totalSteps >= 1, "totalSteps must be >= 1");
        check(epochs == null || epochs >= 1, "epochs must be >= 1");
        check(batchSize >= 1 && batchSize <= 4096, "batchSize must be 1-4096");
        check(gradientAccumulation >= 1 && gradientAccumulation <= 1024, "gradientAccumulation must be 1-1024");
        check(maxSeqLength == null || maxSeqLength >= 8, "maxSeqLength must be >= 8");
        check(optimizer.learningRate() > 0 && optimizer.learningRate() < 1, "optimizer.learningRate must be in (0, 1)");
        check(optimizer.weightDecay() >= 0, "optimizer.weightDecay must be >= 0");
        check(optimizer.schedule().equals("cosine") || optimizer.schedule().equals("constant"),
                "optimizer.schedule must be cosine or constant");
        check(optimizer.warmupSteps() >= 0, "optimizer.warmupSteps must be >= 0");
        check(optimizer.minLrRatio() >= 0 && optimizer.minLrRatio() <= 1, "optimizer.minLrRatio must be in [0, 1]");
        check(optimizer.maxGradNorm() >= 0, "optimizer.maxGradNorm must be >= 0 (0 = no clipping)");
        check(shardSteps != null && shardSteps >= 1, "shardSteps must be >= 1");
        check(DEVICE.matcher(device).matches(), "device must be cpu, gpu or gpu:N");
        check(evalExamples >= 0, "evalExamples must be >= 0");
        check(objective.equals("sft") || objective.equals("dpo"), "objective must be sft or dpo");
        check(dpo == null || objective.equals("dpo"), "dpo settings belong to objective dpo");
        check(initFrom == null || NAME.matcher(initFrom).matches(), "initFrom must name a run");
        // eval applies a checkpoint's adapter to the base model; an adapter trained on another run's model would be
        // scored on the wrong weights
        check(initFrom == null || mode.equals("full"), "initFrom needs mode full (a LoRA adapter on another run's"
                + " final model is not supported yet)");
        check(feedbackShare == null || (feedbackShare > 0 && feedbackShare < 1), "feedbackShare must be in (0, 1)");
        check(feedbackShare == null || !objective.equals("dpo"), "feedbackShare belongs to objective sft (DPO trains"
                + " the version's pairs)");
        if (dpo != null) {
            check(dpo.beta() > 0 && Double.isFinite(dpo.beta()), "dpo.beta must be a positive number");
            check(!packing, "packing is not supported with objective dpo (a pair's sequences are scored whole)");
        }
        return this;
    }

    /** This spec as started by {@code principal}. */
    public RunSpec startedBy(String principal) {
        return new RunSpec(runId, baseModel, dataset, datasetVersion, round, mode, lora, epochs, totalSteps, batchSize,
                gradientAccumulation, maxSeqLength, packing, optimizer, shardSteps, seed, device, evalExamples, objective,
                dpo, initFrom, principal, feedbackShare);
    }

    public RunSpec withRunId(String id) {
        return new RunSpec(id, baseModel, dataset, datasetVersion, round, mode, lora, epochs, totalSteps, batchSize,
                gradientAccumulation, maxSeqLength, packing, optimizer, shardSteps, seed, device, evalExamples, objective,
                dpo, initFrom, startedBy, feedbackShare);
    }

    /** This spec starting from run {@code run}'s final model. */
    public RunSpec startingFrom(String run) {
        return new RunSpec(runId, baseModel, dataset, datasetVersion, round, mode, lora, epochs, totalSteps, batchSize,
                gradientAccumulation, maxSeqLength, packing, optimizer, shardSteps, seed, device, evalExamples, objective,
                dpo, run, startedBy, feedbackShare);
    }

    /** This spec (a policy's template) for one dataset version, as run {@code id}. */
    public RunSpec forVersion(String id, String versionDataset, int version, int versionRound) {
        return new RunSpec(id, baseModel, versionDataset, version, versionRound, mode, lora, epochs, totalSteps, batchSize,
                gradientAccumulation, maxSeqLength, packing, optimizer, shardSteps, seed, device, evalExamples, objective,
                dpo, initFrom, startedBy, feedbackShare);
    }

    /** The spec with what depends on the model and the data resolved. */
    public RunSpec resolved(long steps, int sequenceLength, List<String> loraTargets) {
        Lora resolvedLora = lora == null ? null : new Lora(lora.rank(), lora.alpha(), lora.dropout(),
                lora.targets() == null ? loraTargets : lora.targets(), lora.useRslora());
        return new RunSpec(runId, baseModel, dataset, datasetVersion, round, mode, resolvedLora, epochs, steps, batchSize,
                gradientAccumulation, sequenceLength, packing, optimizer, shardSteps, seed, device, evalExamples, objective,
                dpo, initFrom, startedBy, feedbackShare);
    }

    public int examplesPerStep() {
        return batchSize * gradientAccumulation;
    }

    private static void check(boolean ok, String reason) {
        if (!ok) {
            throw new IllegalArgumentException(reason);
        }
    }
}
