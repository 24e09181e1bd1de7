package io.tuneloop.model.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.generate.GenerationConfig;
import io.tuneloop.model.generate.Generator;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.train.AdamW;
import io.tuneloop.model.train.Batch;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.model.train.TrainStep;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Prints training throughput and model FLOP/s of a d=256, 4-layer decoder at 1,024 tokens per step,
 * next to the float32 GEMM rate measured through DJL in the same run (the ceiling), their ratio,
 * and generation speed with and without the KV cache. Not a test: numbers go to docs/benchmarks.md.
 *
 * <p>Run: {@code ./mvnw -q -pl libs/model exec:java -Dexec.mainClass=io.tuneloop.model.bench.ModelBenchmark}
 */
public final class ModelBenchmark {
    private ModelBenchmark() {
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            // the best of three rounds: the ceiling the model is compared to should not be a noisy low
            double gemm = 0;
            for (int round = 0; round < 3; round++) {
                gemm = Math.max(gemm, gemmGflops(root, 2048, 5));
            }
            System.out.printf("float32 GEMM 2048x2048 through DJL (best of 3 rounds): %.1f GFLOP/s%n", gemm);

            for (Architecture architecture : Architecture.values()) {
                ModelConfig config = config(architecture);
                try (DecoderModel model = Models.fromTensors(config, Models.initialise(config, 1), root, Device.cpu());
                     AdamW adamW = AdamW.defaults(root, 0.0)) {
                    TrainStep.requireGradients(model.parameters());
                    long params = model.parameters().values().stream().mapToLong(p -> p.getShape().size()).sum();
                    long embedding = (long) config.vocabSize() * config.hiddenSize()
                            + (architecture == Architecture.GPT2 ? (long) config.maxPositions() * config.hiddenSize() : 0);
                    int batchSize = 4;
                    int length = 256;
                    List<Batch> batch = List.of(Batch.of(examples(batchSize, length, config.vocabSize()), 0));
                    for (int i = 0; i < 2; i++) {
                        TrainStep.run(model, model.parameters(), adamW, batch, 1e-4, 1.0, root); // warm-up
                    }
                    long start = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        TrainStep.run(model, model.parameters(), adamW, batch, 1e-4, 1.0, root);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9 / steps;
                    double tokensPerSecond = batchSize * length / seconds;
                    // PaLM's estimate: 6 N per token for the weights, plus 12 L T C for attention scores
                    double flopsPerToken = 6.0 * (params - embedding) + 12.0 * config.numLayers() * length * config.hiddenSize();
                    double modelGflops = tokensPerSecond * flopsPerToken / 1e9;
                    System.out.printf("%s training: %.2fM params, %d tokens/step, %.0f ms/step, %.0f tokens/s, "
                                    + "%.1f model GFLOP/s, ratio to GEMM %.2f%n", architecture, params / 1e6,
                            batchSize * length, seconds * 1000, tokensPerSecond, modelGflops, modelGflops / gemm);
                }
                try (DecoderModel model = Models.fromTensors(config, Models.initialise(config, 2), root, Device.cpu())) {
                    long[] prompt = new long[32];
                    Arrays.fill(prompt, 7);
                    for (boolean cache : new boolean[]{true, false}) {
                        GenerationConfig greedy = GenerationConfig.greedy(64, Set.of()).withKvCache(cache);
                        Generator.generate(model, List.of(prompt), greedy, null, root); // warm-up
                        long start = System.nanoTime();
                        List<long[]> out = Generator.generate(model, List.of(prompt, prompt, prompt, prompt), greedy, null, root);
                        double seconds = (System.nanoTime() - start) / 1e9;
                        long tokens = out.stream().mapToLong(o -> o.length).sum();
                        System.out.printf("%s generation (batch 4, 32-token prompts, 64 new tokens), KV cache %s: "
                                + "%.0f tokens/s%n", architecture, cache ? "on " : "off", tokens / seconds);
                    }
                }
            }
        }
    }

    public static ModelConfig config(Architecture architecture) {
        return architecture == Architecture.GPT2
                ? new ModelConfig(Architecture.GPT2, "gpt2", 1024, 256, 4, 8, 8, 1024, 512, 1e-5, 0, true, true, 0, 1, "float32")
                : new ModelConfig(Architecture.LLAMA, "llama", 1024, 256, 4, 8, 8, 683, 512, 1e-6, 10000, true, false, 0, 1, "float32");
    }

    static List<SftExample> examples(int count, int length, int vocab) {
        Random random = new Random(3);
        List<SftExample> examples = new ArrayList<>();
        for (int e = 0; e < count; e++) {
            long[] tokens = new long[length];
            boolean[] trained = new boolean[length];
            for (int i = 0; i < length; i++) {
                tokens[i] = random.nextInt(vocab);
                trained[i] = i >= length / 4;
            }
            examples.add(new SftExample(tokens, trained));
        }
        return examples;
    }

    public static double gemmGflops(NDManager root, int n, int repeats) {
        try (NDManager m = root.newSubManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            a.matMul(b).toFloatArray(); // warm-up
            long start = System.nanoTime();
            for (int i = 0; i < repeats; i++) {
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0); // wait for the result
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9 / repeats;
            return 2.0 * n * n * n / seconds / 1e9;
        }
    }
}
