package io.tuneloop.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.nn.AttentionMasks;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.KvCache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Batched decoding of prompts of different lengths: prompts are left-padded into one batch, the
 * prompt is run once into the KV cache, then one token per step. Only the last position's logits
 * are copied out each step (never all logits). Sampling happens in Java from those.
 */
public final class Generator {
    private Generator() {
    }

    /**
     * Generated tokens per prompt, without the prompt and the eos. A sequence that hits a stop string
     * ends with the token that completed it: decode and cut with {@link #cutAtStop}.
     */
    public static List<long[]> generate(DecoderModel model, List<long[]> prompts, GenerationConfig config,
                                        Function<long[], String> decoder, NDManager root) {
        return generateScored(model, prompts, config, decoder, root).stream().map(Generated::tokens).toList();
    }

    /**
     * A generated sequence and the mean entropy (nats) of the model's next-token distributions while
     * it was produced: a cheap measure of how unsure the model was (0 = certain at every step).
     */
    public record Generated(long[] tokens, double meanEntropy) {
    }

    /** As {@link #generate}, with each sequence's mean entropy. */
    public static List<Generated> generateScored(DecoderModel model, List<long[]> prompts, GenerationConfig config,
                                                 Function<long[], String> decoder, NDManager root) {
        io.tuneloop.model.nn.GradMode.disable();
        int batch = prompts.size();
        int promptLength = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        int total = promptLength + config.maxNewTokens();
        boolean[][] valid = new boolean[batch][total];
        long[][] tokens = new long[batch][total];
        for (int b = 0; b < batch; b++) {
            long[] prompt = prompts.get(b);
            int offset = promptLength - prompt.length; // left padding
            System.arraycopy(prompt, 0, tokens[b], offset, prompt.length);
            Arrays.fill(valid[b], offset, total, true);
        }
        List<List<Long>> generated = new ArrayList<>();
        boolean[] finished = new boolean[batch];
        for (int b = 0; b < batch; b++) {
            generated.add(new ArrayList<>());
        }
        Random random = new Random(config.seed());
        double[] entropySum = new double[batch];
        int[] entropySteps = new int[batch];
        try (NDManager session = root.newSubManager();
             KvCache cache = config.useKvCache() ? new KvCache(session, model.config().numLayers()) : null) {
            model.borrowParameters(session);
            int done = 0; // tokens already in the cache
            for (int length = promptLength; length < total && !allTrue(finished); length++) {
                float[][] last;
                try (NDManager step = session.newSubManager()) {
                    int from = cache == null ? 0 : done;
                    int n = length - from;
                    long[] ids = new long[batch * n];
                    for (int b = 0; b < batch; b++) {
                        System.arraycopy(tokens[b], from, ids, b * n, n);
                    }
                    boolean[][] window = new boolean[batch][];
                    for (int b = 0; b < batch; b++) {
                        window[b] = Arrays.copyOf(valid[b], length);
                    }
                    NDArray logits = model.forward(step.create(ids, new Shape(batch, n)),
                            AttentionMasks.positions(step, window, from, n), AttentionMasks.causal(step, window, from, n),
                            cache);
                    NDArray lastLogits = logits.get(new NDIndex(":, -1, :"));                  // (B, V)
                    float[] flat = lastLogits.toFloatArray();
                    int vocab = (int) lastLogits.getShape().get(1);
                    last = new float[batch][];
                    for (int b = 0; b < batch; b++) {
                        last[b] = Arrays.copyOfRange(flat, b * vocab, (b + 1) * vocab);
                    }
                    done = length;
                }
                for (int b = 0; b < batch; b++) {
                    if (!finished[b]) {
                        entropySum[b] += entropy(last[b]);
                        entropySteps[b]++;
                    }
                    long next = finished[b] ? tokens[b][length - 1] : pick(last[b], config, random);
                    tokens[b][length] = next;
                    if (finished[b]) {
                        continue;
                    }
                    if (config.eosIds().contains(next)) {
                        finished[b] = true;
                        continue;
                    }
                    generated.get(b).add(next);
                    if (!config.stopStrings().isEmpty() && decoder != null) {
                        String text = decoder.apply(toArray(generated.get(b)));
                        if (config.stopStrings().stream().anyMatch(text::contains)) {
                            finished[b] = true;
                        }
                    }
                }
            }
        }
        List<Generated> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            out.add(new Generated(toArray(generated.get(b)), entropySteps[b] == 0 ? 0 : entropySum[b] / entropySteps[b]));
        }
        return out;
    }

    /** Entropy of softmax(logits), computed stably around the maximum. */
    public static double entropy(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double z = 0;
        double weighted = 0;
        for (float l : logits) {
            double e = Math.exp(l - max);
            z += e;
            weighted += e * (l - max);
        }
        return Math.log(z) - weighted / z;
    }

    /** Cuts a decoded text before the first stop string it contains. */
    public static String cutAtStop(String text, List<String> stops) {
        int cut = text.length();
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return text.substring(0, cut);
    }

    static long pick(float[] logits, GenerationConfig config, Random random) {
        if (config.temperature() <= 0) {
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        }
        Integer[] order = IntStream.range(0, logits.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> -logits[i]));
        int keep = config.topK() > 0 ? Math.min(config.topK(), logits.length) : logits.length;
        double max = logits[order[0]] / config.temperature();
        double[] probs = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            probs[i] = Math.exp(logits[order[i]] / config.temperature() - max);
            sum += probs[i];
        }
        double cumulative = 0;
        int nucleus = keep;
        for (int i = 0; i < keep; i++) {
            cumulative += probs[i] / sum;
            if (cumulative >= config.topP()) {
                nucleus = i + 1;
                break;
            }
        }
        double mass = 0;
        for (int i = 0; i < nucleus; i++) {
            mass += probs[i];
        }
        double r = random.nextDouble() * mass;
        for (int i = 0; i < nucleus; i++) {
            r -= probs[i];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[nucleus - 1];
    }

    private static boolean allTrue(boolean[] flags) {
        for (boolean f : flags) {
            if (!f) {
                return false;
            }
        }
        return true;
    }

    private static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }
}
