package io.tuneloop.trainer.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.model.bench.ModelBenchmark;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.training.ShardTrainer;
import io.tuneloop.trainer.flow.TrainingData;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A trainer run on CPU as the service executes it, shard by shard (load the base model or the
 * previous checkpoint, train, save the checkpoint), for full fine-tuning and LoRA: tokens/s, model
 * FLOP/s next to the float32 GEMM rate measured through DJL in the same run, and the share of the
 * run's time spent outside the training steps (loading and checkpointing). Object-store transfers
 * are not included (they depend on the store). Not a test.
 */
public final class TrainerBenchmark {
    private TrainerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int shards = 3;
        int stepsPerShard = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int length = 256;
        int batch = 4;
        ModelConfig config = ModelBenchmark.config(Architecture.LLAMA);
        Path dir = Files.createTempDirectory("trainer-bench");
        Path base = dir.resolve("base");
        double gemm = 0;
        try (NDManager root = NDManager.newBaseManager(Device.cpu());
             DecoderModel model = Models.fromTensors(config, Models.initialise(config, 1), root, Device.cpu())) {
            Models.save(model, base, DType.F32, Long.MAX_VALUE);
            for (int round = 0; round < 3; round++) {
                gemm = Math.max(gemm, ModelBenchmark.gemmGflops(root, 2048, 5));
            }
        }
        System.out.printf("float32 GEMM 2048x2048 through DJL (best of 3 rounds): %.1f GFLOP/s%n", gemm);
        TrainingData data = new TrainingData();
        data.addShard(examples(64, length, config.vocabSize()), length);

        long params = (long) config.vocabSize() * config.hiddenSize()
                + (long) config.numLayers() * (4L * config.hiddenSize() * config.hiddenSize()
                + 3L * config.hiddenSize() * config.intermediateSize());
        long embedding = (long) config.vocabSize() * config.hiddenSize();
        double flopsPerToken = 6.0 * (params - embedding) + 12.0 * config.numLayers() * length * config.hiddenSize();
        for (String mode : List.of("full", "lora")) {
            RunSpec spec = EventJson.fromBytes(("{\"runId\": \"bench\", \"baseModel\": \"bench\", \"dataset\": \"d\","
                    + " \"datasetVersion\": 1, \"mode\": \"" + mode + "\", \"totalSteps\": " + shards * stepsPerShard
                    + ", \"shardSteps\": " + stepsPerShard + ", \"batchSize\": " + batch + ", \"evalExamples\": 0}")
                    .getBytes(), RunSpec.class).resolved((long) shards * stepsPerShard, length,
                    mode.equals("lora") ? List.of("q_proj", "k_proj", "v_proj", "o_proj") : null);
            double load = 0;
            double train = 0;
            double save = 0;
            long tokens = 0;
            Path previous = null;
            long start = System.nanoTime();
            for (int k = 0; k < shards; k++) {
                Path out = Files.createDirectories(dir.resolve(mode + "-" + k));
                io.tuneloop.model.train.SftTrainer.Outcome outcome = ShardTrainer.train(spec, base, previous, data, (long) k * stepsPerShard,
                        (long) (k + 1) * stepsPerShard, out, s -> { }, () -> false);
                load += outcome.loadMillis();
                train += outcome.trainMillis();
                save += outcome.saveMillis();
                tokens += outcome.tokens();
                previous = out;
            }
            double total = (System.nanoTime() - start) / 1e6;
            double tokensPerSecond = tokens / (train / 1000);
            double modelGflops = tokensPerSecond * flopsPerToken / 1e9;
            System.out.printf("%s: %d shards x %d steps of %d x %d tokens: %.0f tokens/s, %.1f model GFLOP/s, ratio to"
                            + " GEMM %.2f; run %.1f s = train %.1f s + load %.1f s + checkpoint %.1f s; outside the"
                            + " training steps %.0f%%%n", mode, shards, stepsPerShard, batch, length, tokensPerSecond,
                    modelGflops, modelGflops / gemm, total / 1000, train / 1000, load / 1000, save / 1000,
                    100 * (total - train) / total);
        }
    }

    private static byte[] examples(int count, int length, int vocab) {
        Random random = new Random(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int e = 0; e < count; e++) {
            int[] tokens = new int[length];
            for (int i = 0; i < length; i++) {
                tokens[i] = random.nextInt(vocab);
            }
            out.writeBytes(EventJson.toBytes(new InstructionRecord("e" + e, "r" + e, "t", null, "t", null, "train", "p", "r",
                    null, null, tokens, List.<int[]>of(new int[] {length / 4, length}), "f", e)));
            out.write('\n');
        }
        return out.toByteArray();
    }
}
