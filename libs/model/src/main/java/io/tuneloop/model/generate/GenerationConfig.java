package io.tuneloop.model.generate;

import java.util.List;
import java.util.Set;

/**
 * How to decode.
 *
 * @param maxNewTokens stop after this many generated tokens
 * @param temperature  0 = greedy; otherwise logits are divided by it before sampling
 * @param topK         keep the k most likely tokens (0 = all)
 * @param topP         keep the smallest set of tokens whose probability reaches p (1 = all)
 * @param seed         sampling seed: same seed, same prompts → same output
 * @param eosIds       a sequence ends when it produces one of these (the eos is not returned)
 * @param stopStrings  a sequence ends when its decoded text contains one of these (cut before it)
 * @param useKvCache   false recomputes the whole sequence at every step (for comparison)
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, long seed,
                               Set<Long> eosIds, List<String> stopStrings, boolean useKvCache) {
    public static GenerationConfig greedy(int maxNewTokens, Set<Long> eosIds) {
        return new GenerationConfig(maxNewTokens, 0, 0, 1, 0, eosIds, List.of(), true);
    }

    public GenerationConfig withSampling(double temperature, int topK, double topP, long seed) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, eosIds, stopStrings, useKvCache);
    }

    public GenerationConfig withKvCache(boolean use) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, eosIds, stopStrings, use);
    }

    public GenerationConfig withStopStrings(List<String> stops) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, eosIds, stops, useKvCache);
    }
}
