package io.tuneloop.eval.flow;

import io.tuneloop.eval.measures.TextMetrics;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.model.generate.GenerationConfig;
import io.tuneloop.model.generate.Generator;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.tokenizer.TextTokenizer;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The held-out suites of a dataset version (FLAN's zero-shot claim): examples of tasks never trained
 * on and of phrasings never trained on. Each prompt is exactly what the model saw in training up to
 * the answer (the tokens before the first loss span, in the version's chat format); the response is
 * generated greedily in batches with the KV cache and scored by exact match and ROUGE-L against the
 * reference, overall and per task.
 */
public final class HeldOutSuite {
    /**
     * One held-out prompt; {@code suite} is its split, with {@code _fewshot} appended when exemplars
     * precede it (template id {@code ...+fs<k>}), so zero- and few-shot scores are reported apart.
     */
    public record Prompt(String id, String suite, String task, String category, long[] promptTokens, String promptText,
                         List<String> references) {
    }

    /** One scored response; {@code entropy} is the model's mean next-token entropy while writing it. */
    public record Scored(Prompt prompt, String response, double exactMatch, double rougeL, double entropy) {
    }

    /** Means over the scored responses (0-100), overall and per task. */
    public record Summary(int prompts, double exactMatch, double rougeL, Map<String, double[]> perTask) {
    }

    public static final String FEW_SHOT = "_fewshot";

    private HeldOutSuite() {
    }

    /** The version's held-out examples that carry token ids, as prompts. */
    public static List<Prompt> prompts(List<InstructionRecord> examples) {
        return promptsOf(examples, Set.of(Splits.HELDOUT_TASKS, Splits.HELDOUT_PHRASINGS));
    }

    /** The version's single-turn examples of {@code splits} that carry token ids, as prompts. */
    static List<Prompt> promptsOf(List<InstructionRecord> examples, Set<String> splits) {
        List<Prompt> prompts = new ArrayList<>();
        for (InstructionRecord e : examples) {
            if (!splits.contains(e.split()) || e.tokens() == null || e.lossSpans() == null || e.lossSpans().isEmpty() || e.response() == null) {
                continue;
            }
            int promptLength = e.lossSpans().get(0)[0];
            long[] promptTokens = new long[promptLength];
            for (int i = 0; i < promptLength; i++) {
                promptTokens[i] = e.tokens()[i];
            }
            boolean fewShot = e.templateId() != null && e.templateId().matches(".*\\+fs[1-9]\\d*$");
            prompts.add(new Prompt(e.id(), e.split() + (fewShot ? FEW_SHOT : ""), e.task(), e.category(), promptTokens,
                    e.prompt(),
                    List.of(e.response())));
        }
        return prompts;
    }

    /** Generates and scores; memory stays bounded (batches; only the last position's logits are read). */
    public static List<Scored> run(DecoderModel model, TextTokenizer tokenizer, Set<Long> stops, List<Prompt> prompts,
                                   int batchSize, int maxNewTokens, NDManager root) {
        GenerationConfig greedy = GenerationConfig.greedy(maxNewTokens, stops);
        List<Scored> scored = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            List<Prompt> batch = prompts.subList(from, Math.min(from + batchSize, prompts.size()));
            List<Generator.Generated> outputs = Generator.generateScored(model,
                    batch.stream().map(Prompt::promptTokens).toList(), greedy, tokenizer::decode, root);
            for (int i = 0; i < batch.size(); i++) {
                String response = tokenizer.decodeSkippingSpecial(outputs.get(i).tokens()).strip();
                Prompt p = batch.get(i);
                scored.add(new Scored(p, response, TextMetrics.exactMatch(response, p.references()),
                        TextMetrics.rougeL(response, p.references()), outputs.get(i).meanEntropy()));
            }
        }
        return scored;
    }

    public static Summary summarise(List<Scored> scored) {
        Map<String, double[]> perTask = new TreeMap<>(); // task -> [count, exact match sum, rouge-L sum]
        double em = 0;
        double rouge = 0;
        for (Scored s : scored) {
            em += s.exactMatch();
            rouge += s.rougeL();
            double[] t = perTask.computeIfAbsent(s.prompt().task(), k -> new double[3]);
            t[0]++;
            t[1] += s.exactMatch();
            t[2] += s.rougeL();
        }
        Map<String, double[]> means = new TreeMap<>();
        perTask.forEach((task, t) -> means.put(task, new double[] {t[1] / t[0], t[2] / t[0]}));
        int n = scored.size();
        return new Summary(n, n == 0 ? 0 : em / n, n == 0 ? 0 : rouge / n, means);
    }
}
