package io.tuneloop.demo;

import io.tuneloop.model.TinyModelFactory;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.safetensors.DType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sizes of one demo: data, model, training and review. {@link #FULL} is what
 * {@code ./tuneloop local demo} runs (about ten minutes on 2 cores); {@link #QUICK} is the same loop
 * made small for the end-to-end test. The service settings it needs (the trainer's run policy, the
 * eval and round-policy sizes) are handed to the stack as environment variables before it starts,
 * so the loop closes by itself: a sealed version starts a run, a checkpoint is evaluated, ratings
 * start the next round.
 *
 * @param name              profile name
 * @param examplesPerTask   synthetic records per task
 * @param seedSample        also upload the self-instruct seed tasks (real data) when found
 * @param model             the base model made in code
 * @param totalSteps        optimizer steps per round
 * @param shards            checkpoints per round (each is evaluated)
 * @param batchSize         examples per step
 * @param learningRate      peak learning rate (full fine-tuning of a randomly initialised model)
 * @param evalPrompts       prompts per eval suite
 * @param reviewItems       review-pool prompts answered for raters per checkpoint (twice each): the
 *                          pool file's first, then the version's review split
 * @param raters            simulated raters (each item goes to 3 of them)
 * @param taughtRecords     records of the taught task in the upload (it is covered thinly on purpose)
 * @param poolPrompts       the taught task's prompts in the review-pool file (what raters correct)
 * @param roundSteps        SFT steps of round 2, from round 1's model, half of them on the feedback samples
 */
public record DemoProfile(String name, int examplesPerTask, boolean seedSample, TinyModelFactory.Spec model,
                          long totalSteps, int shards, int batchSize, double learningRate, int evalPrompts,
                          int reviewItems, int raters, int taughtRecords, int poolPrompts, long roundSteps) {

    public static final String DATASET = "demo";
    /** The team the demo's people are in: it owns the demo dataset and everything made from it. */
    public static final String TEAM = "demo";
    public static final String MODEL = "demo-tiny";
    /** The trainer policy's name; its runs are {@code <policy>-<dataset>-v<version>}. */
    public static final String POLICY = "loop";
    public static final int OVERLAP = 3;
    /** Eval answers each review-pool prompt twice (sampled), so raters can compare the two. */
    public static final int RESPONSES_PER_PROMPT = 2;
    /** Share of the records held back from training as the review pool. */
    public static final double REVIEW_FRACTION = 0.1;

    /** The review-pool file the demo puts in the bucket (the taught task's prompts, as production traffic would be). */
    public static final String POOL_FILE = "traffic";
    /** The eval suite that measures the taught behaviour, on inputs no record or pool prompt has. */
    public static final String TAUGHT_SUITE = "taught_min_number";
    /** Share of round 2's SFT draws that are feedback samples; the rest replays version 1's examples. */
    public static final double FEEDBACK_SHARE = 0.5;

    /**
     * Sizes measured on 2 cores (docs/benchmarks.md, "Choosing the demo's sizes"): batches of 64 and
     * 1,000 steps reached 44% exact match on held-out phrasings where 1,500 steps of 16 reached 16%;
     * the self-instruct seed tasks are left out (their long answers padded every batch to 128 tokens,
     * halving the speed, and a model this size learns none of them).
     */
    public static final DemoProfile FULL = new DemoProfile("full", 1000, false,
            new TinyModelFactory.Spec(Architecture.LLAMA, 128, 4, 4, 2, 256, 400, DType.F32, Long.MAX_VALUE),
            1200, 1, 64, 3e-3, 64, 72, 4, 10, 64, 300);

    public static final DemoProfile QUICK = new DemoProfile("quick", 40, true,
            new TinyModelFactory.Spec(Architecture.LLAMA, 64, 2, 4, 2, 256, 200, DType.F32, Long.MAX_VALUE),
            60, 2, 8, 3e-3, 24, 8, 3, 4, 6, 20);

    public static DemoProfile named(String name) {
        return switch (name) {
            case "full" -> FULL;
            case "quick" -> QUICK;
            default -> throw new IllegalArgumentException("unknown demo profile " + name + " (full or quick)");
        };
    }

    public String runId(int version) {
        return POLICY + "-" + DATASET + "-v" + version;
    }

    /** Review items of one checkpoint: two answers to each of its review-pool prompts. */
    public int reviewItemsPerCheckpoint() {
        return reviewItems * RESPONSES_PER_PROMPT;
    }

    /** Review items of one round: every checkpoint's. */
    public int reviewItemsPerRound() {
        return reviewItemsPerCheckpoint() * shards;
    }

    /**
     * The services' settings for this demo, as environment variables. The round policy waits for
     * every item of a round to have its {@link #OVERLAP} ratings, so round 2 holds all the feedback.
     */
    public Map<String, String> serviceEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TUNELOOP_TRAINER_POLICIES_" + POLICY.toUpperCase() + "_DATASET", DATASET);
        env.put("TUNELOOP_TRAINER_POLICIES_" + POLICY.toUpperCase() + "_SPEC", runSpec());
        // a version with agreed preference pairs (round 2's) gets a DPO run after its SFT run
        env.put("TUNELOOP_TRAINER_POLICIES_" + POLICY.toUpperCase() + "_PREFERENCE_SPEC", preferenceSpec());
        // round 2 continues from round 1's model: a short SFT run on the feedback samples with a replay of v1
        env.put("TUNELOOP_TRAINER_POLICIES_" + POLICY.toUpperCase() + "_ROUND_SPEC", roundSpec());
        env.put("TUNELOOP_EVAL_MAX_PROMPTS_PER_SUITE", String.valueOf(evalPrompts));
        env.put("TUNELOOP_EVAL_MAX_NEW_TOKENS", "24");
        env.put("TUNELOOP_EVAL_VALIDATION_EXAMPLES", String.valueOf(evalPrompts));
        env.put("TUNELOOP_EVAL_REVIEW_ITEMS", String.valueOf(reviewItems));
        env.put("TUNELOOP_FEEDBACK_OVERLAP", String.valueOf(OVERLAP));
        env.put("TUNELOOP_FEEDBACK_ROUND_MIN_RATINGS", String.valueOf(reviewItemsPerRound() * OVERLAP));
        env.put("TUNELOOP_FEEDBACK_ROUND_CHECK_INTERVAL", "3S");
        // the simulated raters rate as fast as the API answers
        env.put("TUNELOOP_FEEDBACK_RATE_LIMIT_PER_SECOND", "1000");
        env.put("TUNELOOP_FEEDBACK_RATE_LIMIT_BURST", "1000");
        return env;
    }

    /**
     * DPO steps after round 2's SFT run (one shard): a few passes over the pairs. Measured on the
     * full profile (docs/benchmarks.md): 100 steps at a tenth of SFT's learning rate over-optimise
     * the 38 pairs (held-out phrasings 14.1 -> 0.0 exact match); 20 steps at a hundredth keep it.
     */
    public long preferenceSteps() {
        return Math.max(10, totalSteps / 75);
    }

    /**
     * The DPO run after an SFT run on a version with preference pairs: it starts from the SFT run's
     * final model (its frozen reference), TRL's beta, a learning rate a hundredth of SFT's.
     */
    String preferenceSpec() {
        return "{\"baseModel\": \"" + MODEL + "\", \"mode\": \"full\", \"objective\": \"dpo\", \"dpo\": {\"beta\": 0.1},"
                + " \"totalSteps\": " + preferenceSteps() + ", \"shardSteps\": " + preferenceSteps() + ", \"batchSize\": "
                + Math.max(2, batchSize / 2) + ", \"seed\": 7, \"evalExamples\": 0, \"optimizer\": {\"learningRate\": "
                + learningRate / 100 + ", \"warmupSteps\": 1, \"schedule\": \"constant\"}}";
    }

    /** The run every new version of the demo dataset gets (dataset and version come from the event). */
    String runSpec() {
        long shardSteps = totalSteps / shards;
        return "{\"baseModel\": \"" + MODEL + "\", \"mode\": \"full\", \"totalSteps\": " + totalSteps
                + ", \"shardSteps\": " + shardSteps + ", \"batchSize\": " + batchSize + ", \"seed\": 7"
                + ", \"optimizer\": {\"learningRate\": " + learningRate + ", \"warmupSteps\": " + Math.max(1, totalSteps / 20)
                + ", \"weightDecay\": 0.01}}";
    }

    /**
     * Round 2's SFT run (from round 1's final model): {@link #roundSteps} steps at a third of round 1's
     * learning rate, {@link #FEEDBACK_SHARE} of the draws on the feedback samples and the rest a replay
     * of version 1's examples, so it learns the corrections without forgetting the rest.
     */
    String roundSpec() {
        return "{\"baseModel\": \"" + MODEL + "\", \"mode\": \"full\", \"totalSteps\": " + roundSteps
                + ", \"shardSteps\": " + roundSteps + ", \"batchSize\": " + batchSize + ", \"seed\": 8"
                + ", \"feedbackShare\": " + FEEDBACK_SHARE + ", \"optimizer\": {\"learningRate\": " + learningRate / 3
                + ", \"warmupSteps\": " + Math.max(1, roundSteps / 20) + ", \"weightDecay\": 0.01}}";
    }
}
