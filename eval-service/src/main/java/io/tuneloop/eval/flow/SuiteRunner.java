package io.tuneloop.eval.flow;

import ai.djl.ndarray.NDManager;
import io.tuneloop.eval.ifeval.IfEvalPrompt;
import io.tuneloop.eval.measures.TextMetrics;
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
    public static final String GENERAL = "general";
    public static final String VALIDATION = "validation";

    /** What one model did on one prompt. */
    public record PromptResult(String suite, String promptId, String task, String category, String prompt,
                               String response, String reference, Map<String, Double> scores, double uncertainty) {
    }

    /** The prompt sets to run besides the dataset's own: IFEval-style and reference-answer suites, by name. */
    public record PromptSuites(Map<String, List<IfEvalPrompt>> instructions, Map<String, List<ReferencePrompt>> references) {
        public static PromptSuites bundled() {
            return new PromptSuites(Map.of(IFEVAL, IfEvalPrompt.bundled()), Map.of(GENERAL, ReferencePrompt.bundledGeneral()));
        }
    }

    /** Every prompt's result plus the validation loss; {@code generatedTokens} and seconds for throughput. */
    public record ModelResults(List<PromptResult> prompts, Double validationLoss, long generatedTokens, double seconds) {
    }

    /** Limits that keep an evaluation's cost bounded. */
    public record Settings(int batchSize, int maxNewTokens, int maxPromptsPerSuite, int validationExamples) {
    }

    private SuiteRunner() {
    }

    /**
     * @param stops the ids that end a response ({@link io.tuneloop.model.generate.StopTokens}: every eos
     *              id of the model's files and the template's end-of-turn token)
     */
    public static ModelResults run(DecoderModel model, TextTokenizer tokenizer, Set<Long> stops,
                                   List<InstructionRecord> examples, PromptSuites suites, SuiteSelection selection,
                                   Settings settings, NDManager root) {
        long started = System.nanoTime();
        long[] generated = {0};
        List<PromptResult> results = new ArrayList<>();
        int limit = selection.maxPromptsPerSuite() == null ? settings.maxPromptsPerSuite() : selection.maxPromptsPerSuite();

        for (String split : List.of(Splits.HELDOUT_TASKS, Splits.HELDOUT_PHRASINGS,
                Splits.HELDOUT_TASKS + HeldOutSuite.FEW_SHOT, Splits.HELDOUT_PHRASINGS + HeldOutSuite.FEW_SHOT)) {
            if (!selection.includes(split)) {
                continue;
            }
            List<HeldOutSuite.Prompt> prompts = HeldOutSuite.prompts(examples).stream()
                    .filter(p -> p.suite().equals(split)).limit(limit).toList();
            for (HeldOutSuite.Scored s : HeldOutSuite.run(model, tokenizer, stops, prompts, settings.batchSize(),
                    settings.maxNewTokens(), root)) {
                generated[0] += tokenizer.encode(s.response()).length;
                results.add(new PromptResult(split, s.prompt().id(), s.prompt().task(), s.prompt().category(),
                        s.prompt().promptText(),
                        s.response(), s.prompt().references().get(0),
                        Map.of("exactMatch", s.exactMatch(), "rougeL", s.rougeL()), s.entropy()));
            }
        }

        ChatTemplate chat = chatTemplate(tokenizer);
        GenerationConfig greedy = GenerationConfig.greedy(settings.maxNewTokens(), stops);
        for (var suite : suites.instructions().entrySet()) {
            if (!selection.includes(suite.getKey())) {
                continue;
            }
            List<IfEvalPrompt> prompts = suite.getValue().stream().limit(limit).toList();
            List<Response> responses = generate(model, tokenizer, chat, greedy, prompts.stream().map(IfEvalPrompt::prompt)
                    .toList(), settings.batchSize(), generated, root);
            for (int i = 0; i < prompts.size(); i++) {
                IfEvalPrompt p = prompts.get(i);
                IfEvalPrompt.Score score = p.score(responses.get(i).text());
                Map<String, Double> scores = new HashMap<>();
                scores.put("promptStrict", score.promptStrict() ? 100.0 : 0.0);
                scores.put("promptLoose", score.promptLoose() ? 100.0 : 0.0);
                scores.put("instructionStrict", 100.0 * score.instructionsStrict() / score.instructions());
                scores.put("instructionLoose", 100.0 * score.instructionsLoose() / score.instructions());
                String type = p.instructions().get(0).id();
                results.add(new PromptResult(suite.getKey(), p.id(), type, type.substring(0, type.indexOf(':')), p.prompt(),
                        responses.get(i).text(), null, scores, responses.get(i).entropy()));
            }
        }
        for (var suite : suites.references().entrySet()) {
            if (!selection.includes(suite.getKey())) {
                continue;
            }
            List<ReferencePrompt> prompts = suite.getValue().stream().limit(limit).toList();
            List<Response> responses = generate(model, tokenizer, chat, greedy, prompts.stream().map(ReferencePrompt::prompt)
                    .toList(), settings.batchSize(), generated, root);
            for (int i = 0; i < prompts.size(); i++) {
                ReferencePrompt p = prompts.get(i);
                String response = responses.get(i).text();
                double em = TextMetrics.exactMatch(response, p.references());
                double rouge = TextMetrics.rougeL(response, p.references());
                results.add(new PromptResult(suite.getKey(), p.id(), p.task(), p.category(), p.prompt(), response,
                        p.references().get(0), Map.of("exactMatch", em, "rougeL", rouge), responses.get(i).entropy()));
            }
        }

        if (!selection.includes(VALIDATION)) {
            return new ModelResults(results, null, generated[0], (System.nanoTime() - started) / 1e9);
        }
        List<SftExample> validation = new ArrayList<>();
        for (InstructionRecord e : examples) {
            if (e.split().equals(Splits.VALIDATION) && e.tokens() != null && e.lossSpans() != null
                    && validation.size() < settings.validationExamples()) {
                validation.add(SftExample.fromSpans(e.tokens(), e.lossSpans(), Integer.MAX_VALUE));
            }
        }
        Double loss = validation.isEmpty() ? null : LossEvaluation.meanLoss(model, validation, settings.batchSize(), 0, root);
        return new ModelResults(results, loss == null || loss.isNaN() ? null : loss, generated[0],
                (System.nanoTime() - started) / 1e9);
    }

    /** Greedy responses to user prompts put in the model's chat format, in batches. */
    private static List<Response> generate(DecoderModel model, TextTokenizer tokenizer, ChatTemplate chat,
                                           GenerationConfig config, List<String> prompts, int batchSize, long[] generated,
                                           NDManager root) {
        List<Response> responses = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            List<long[]> inputs = prompts.subList(from, Math.min(from + batchSize, prompts.size())).stream()
                    .map(p -> userPrompt(tokenizer, chat, p)).toList();
            for (Generator.Generated output : Generator.generateScored(model, inputs, config, tokenizer::decode, root)) {
                generated[0] += output.tokens().length;
                responses.add(new Response(tokenizer.decodeSkippingSpecial(output.tokens()).strip(), output.meanEntropy()));
            }
        }
        return responses;
    }

    /** A user's prompt in the model's chat format, up to where the answer starts, as token ids. */
    static long[] userPrompt(TextTokenizer tokenizer, ChatTemplate chat, String prompt) {
        return tokenizer.encode(chat.render(List.of(Message.user(prompt)), true), chat.encodesSpecialTokens());
    }

    /** A decoded response and the model's mean next-token entropy while writing it (its uncertainty). */
    private record Response(String text, double entropy) {
    }

    /** The model's own chat template, else ChatML (what the formatter falls back to as well). */
    static ChatTemplate chatTemplate(TextTokenizer tokenizer) {
        return ChatTemplate.ofModel(tokenizer).orElseGet(ChatTemplate::chatml);
    }
}
