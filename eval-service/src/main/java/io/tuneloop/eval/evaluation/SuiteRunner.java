package io.tuneloop.eval.evaluation;

import ai.djl.ndarray.NDManager;
import io.tuneloop.eval.ifeval.IfEvalPrompt;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.Message;
import io.tuneloop.model.generate.GenerationConfig;
import io.tuneloop.model.generate.Generator;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.train.LossEvaluation;
import io.tuneloop.model.train.SftExample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs every suite on one model: held-out tasks and phrasings of the dataset version (exact match,
 * ROUGE-L), the IFEval prompt set in the model's own chat format (strict and loose, prompt and
 * instruction level), and the loss on the version's validation split. Per-prompt scores are kept so
 * that two models can be compared prompt by prompt (paired bootstrap).
 */
public final class SuiteRunner {
    public static final String IFEVAL = "ifeval";
    public static final String VALIDATION = "validation";

    /** What one model did on one prompt. */
    public record PromptResult(String suite, String promptId, String task, String prompt, String response,
                               String reference, Map<String, Double> scores, double uncertainty) {
    }

    /** Every prompt's result plus the validation loss; {@code generatedTokens} and seconds for throughput. */
    public record ModelResults(List<PromptResult> prompts, Double validationLoss, long generatedTokens, double seconds) {
    }

    /** Limits that keep an evaluation's cost bounded. */
    public record Settings(int batchSize, int maxNewTokens, int maxPromptsPerSuite, int validationExamples) {
    }

    private SuiteRunner() {
    }

    public static ModelResults run(DecoderModel model, TextTokenizer tokenizer, List<InstructionRecord> examples,
                                   List<IfEvalPrompt> ifeval, Settings settings, NDManager root) {
        long started = System.nanoTime();
        long[] generated = {0};
        List<PromptResult> results = new ArrayList<>();

        for (String split : List.of(Splits.HELDOUT_TASKS, Splits.HELDOUT_PHRASINGS)) {
            List<HeldOutSuite.Prompt> prompts = HeldOutSuite.prompts(examples).stream()
                    .filter(p -> p.split().equals(split)).limit(settings.maxPromptsPerSuite()).toList();
            for (HeldOutSuite.Scored s : HeldOutSuite.run(model, tokenizer, prompts, settings.batchSize(),
                    settings.maxNewTokens(), root)) {
                generated[0] += tokenizer.encode(s.response()).length;
                results.add(new PromptResult(split, s.prompt().id(), s.prompt().task(), s.prompt().promptText(),
                        s.response(), s.prompt().references().get(0),
                        Map.of("exactMatch", s.exactMatch(), "rougeL", s.rougeL()), (100 - s.rougeL()) / 100));
            }
        }

        List<IfEvalPrompt> ifPrompts = ifeval.stream().limit(settings.maxPromptsPerSuite()).toList();
        ChatTemplate chat = chatTemplate(tokenizer);
        Set<Long> eos = tokenizer.eosId().isPresent() ? Set.of((long) tokenizer.eosId().getAsInt()) : Set.of();
        GenerationConfig greedy = GenerationConfig.greedy(settings.maxNewTokens(), eos);
        for (int from = 0; from < ifPrompts.size(); from += settings.batchSize()) {
            List<IfEvalPrompt> batch = ifPrompts.subList(from, Math.min(from + settings.batchSize(), ifPrompts.size()));
            List<long[]> inputs = batch.stream()
                    .map(p -> tokenizer.encode(chat.render(List.of(Message.user(p.prompt())), true))).toList();
            List<long[]> outputs = Generator.generate(model, inputs, greedy, tokenizer::decode, root);
            for (int i = 0; i < batch.size(); i++) {
                IfEvalPrompt p = batch.get(i);
                generated[0] += outputs.get(i).length;
                String response = tokenizer.decodeSkippingSpecial(outputs.get(i)).strip();
                IfEvalPrompt.Score score = p.score(response);
                Map<String, Double> scores = new HashMap<>();
                scores.put("promptStrict", score.promptStrict() ? 100.0 : 0.0);
                scores.put("promptLoose", score.promptLoose() ? 100.0 : 0.0);
                scores.put("instructionStrict", 100.0 * score.instructionsStrict() / score.instructions());
                scores.put("instructionLoose", 100.0 * score.instructionsLoose() / score.instructions());
                results.add(new PromptResult(IFEVAL, p.id(), p.instructions().get(0).id(), p.prompt(), response, null,
                        scores, 1.0 - (double) score.instructionsLoose() / score.instructions()));
            }
        }

        List<SftExample> validation = new ArrayList<>();
        for (InstructionRecord e : examples) {
            if (e.split().equals(Splits.VALIDATION) && e.tokens() != null && e.lossSpans() != null
                    && validation.size() < settings.validationExamples()) {
                boolean[] mask = new boolean[e.tokens().length];
                e.lossSpans().forEach(span -> Arrays.fill(mask, span[0], Math.min(span[1], mask.length), true));
                validation.add(new SftExample(Arrays.stream(e.tokens()).asLongStream().toArray(), mask));
            }
        }
        Double loss = validation.isEmpty() ? null : LossEvaluation.meanLoss(model, validation, settings.batchSize(), 0, root);
        return new ModelResults(results, loss == null || loss.isNaN() ? null : loss, generated[0],
                (System.nanoTime() - started) / 1e9);
    }

    /** The model's own chat template, else ChatML (what the formatter falls back to as well). */
    static ChatTemplate chatTemplate(TextTokenizer tokenizer) {
        if (tokenizer.chatTemplate().isEmpty()) {
            return ChatTemplate.chatml();
        }
        Map<String, String> special = new HashMap<>();
        for (String role : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
            tokenizer.token(role).ifPresent(t -> special.put(role, t));
        }
        return ChatTemplate.jinja(tokenizer.chatTemplate().get(), special);
    }
}
