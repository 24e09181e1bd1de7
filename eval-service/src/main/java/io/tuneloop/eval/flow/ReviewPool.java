package io.tuneloop.eval.flow;

import ai.djl.ndarray.NDManager;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.model.generate.GenerationConfig;
import io.tuneloop.model.generate.Generator;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.tokenizer.TextTokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What raters see: a checkpoint's answers to prompts that belong to no eval suite, the dataset
 * version's review split (records the formatter held back from training for this). Each prompt is
 * answered {@value #RESPONSES} times by sampling with seeds drawn from the checkpoint and the prompt,
 * so raters can compare two answers side by side as well as score and correct each; agreed ratings
 * then train the next round without a single eval prompt becoming training data.
 */
public final class ReviewPool {
    public static final String SUITE = Splits.REVIEW;
    public static final int RESPONSES = 2;

    /**
     * @param prompts     review prompts answered per checkpoint
     * @param temperature sampling temperature of the answers
     * @param topP        nucleus of the answers
     */
    public record Settings(int prompts, double temperature, double topP) {
        public Settings {
            if (prompts < 0 || !(temperature > 0) || !(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("review pool: prompts >= 0, temperature > 0 and 0 < topP <= 1");
            }
        }
    }

    private ReviewPool() {
    }

    /** The version's review prompts (the tokens the model saw before the answer), in a stable order. */
    public static List<HeldOutSuite.Prompt> prompts(List<InstructionRecord> examples, int limit) {
        return HeldOutSuite.promptsOf(examples, Set.of(Splits.REVIEW)).stream()
                .sorted(Comparator.comparing(HeldOutSuite.Prompt::id)).limit(limit).toList();
    }

    /** {@value #RESPONSES} sampled answers to each prompt, as results of the review suite (no scores). */
    public static List<SuiteRunner.PromptResult> answer(DecoderModel model, TextTokenizer tokenizer, Set<Long> stops,
                                                        List<HeldOutSuite.Prompt> prompts, Settings settings,
                                                        int batchSize, int maxNewTokens, String seedKey, NDManager root) {
        List<SuiteRunner.PromptResult> results = new ArrayList<>();
        for (int k = 1; k <= RESPONSES; k++) {
            GenerationConfig sampling = GenerationConfig.greedy(maxNewTokens, stops)
                    .withSampling(settings.temperature(), 0, settings.topP(), (seedKey + "#" + k).hashCode());
            for (int from = 0; from < prompts.size(); from += batchSize) {
                List<HeldOutSuite.Prompt> batch = prompts.subList(from, Math.min(from + batchSize, prompts.size()));
                List<Generator.Generated> outputs = Generator.generateScored(model,
                        batch.stream().map(HeldOutSuite.Prompt::promptTokens).toList(), sampling, tokenizer::decode, root);
                for (int i = 0; i < batch.size(); i++) {
                    HeldOutSuite.Prompt p = batch.get(i);
                    results.add(new SuiteRunner.PromptResult(SUITE, p.id() + "#" + k, p.task(), p.category(), p.promptText(),
                            tokenizer.decodeSkippingSpecial(outputs.get(i).tokens()).strip(), p.references().get(0),
                            Map.of(), outputs.get(i).meanEntropy()));
                }
            }
        }
        results.sort(Comparator.comparing(SuiteRunner.PromptResult::promptId));
        return results;
    }
}
