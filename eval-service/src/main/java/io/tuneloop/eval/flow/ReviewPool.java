package io.tuneloop.eval.flow;

import ai.djl.ndarray.NDManager;
import io.tuneloop.events.JsonLines;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.model.chat.ChatTemplate;
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
 * What raters see: a checkpoint's answers to prompts that belong to no eval suite: the prompt files a
 * user put in {@code review-pools/<dataset>/} (production traffic, a behaviour to teach) and the
 * dataset version's review split (records the formatter held back from training for this). Each prompt is
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

    /**
     * One prompt of a review-pool file. The prompt is put in the model's chat format as a user turn,
     * as the eval suites' prompts are; raters see it as written.
     *
     * @param id        unique within its file (default: the file's name and the prompt's position)
     * @param task      what kind of prompt it is, for raters and for the samples it becomes (default "unknown")
     * @param prompt    the user's text
     * @param reference a known good answer, shown to raters (optional)
     */
    public record FilePrompt(String id, String task, String prompt, String reference) {
        public FilePrompt {
            if (prompt == null || prompt.isBlank()) {
                throw new IllegalArgumentException("a review-pool prompt needs a non-blank \"prompt\"");
            }
            task = task == null || task.isBlank() ? "unknown" : task;
        }
    }

    private ReviewPool() {
    }

    private static final Set<String> FILE_FIELDS = Set.of("id", "task", "prompt", "reference");

    /**
     * The prompts of one review-pool file, ids filled in. A line that is not a prompt, or names a field
     * this reader does not know, is refused with its number: a misspelt field must not go unnoticed.
     */
    public static List<FilePrompt> read(String name, byte[] content) {
        List<com.fasterxml.jackson.databind.JsonNode> lines = JsonLines.read(content, com.fasterxml.jackson.databind.JsonNode.class);
        List<FilePrompt> prompts = new ArrayList<>(lines.size());
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            com.fasterxml.jackson.databind.JsonNode line = lines.get(i);
            String where = "prompt " + (i + 1) + " (line " + (i + 1) + ")";
            if (!line.isObject()) {
                throw new IllegalArgumentException(where + " is not a JSON object");
            }
            line.fieldNames().forEachRemaining(field -> {
                if (!FILE_FIELDS.contains(field)) {
                    throw new IllegalArgumentException(where + " has field \"" + field + "\"; a review-pool prompt has "
                            + new java.util.TreeSet<>(FILE_FIELDS));
                }
            });
            FilePrompt p;
            try {
                p = new FilePrompt(text(line, "id"), text(line, "task"), text(line, "prompt"), text(line, "reference"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            String id = name + ":" + (p.id() == null || p.id().isBlank() ? String.valueOf(i + 1) : p.id());
            if (!ids.add(id)) {
                throw new IllegalArgumentException(where + " repeats id " + id);
            }
            prompts.add(new FilePrompt(id, p.task(), p.prompt(), p.reference()));
        }
        return prompts;
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode line, String field) {
        com.fasterxml.jackson.databind.JsonNode value = line.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        return value.asText();
    }

    /**
     * Up to {@code limit} review prompts: the files' first (a user chose them), then the version's review
     * split in id order. File prompts are put in the model's chat format ({@code tokenizer}'s template).
     */
    public static List<HeldOutSuite.Prompt> prompts(List<InstructionRecord> examples, List<FilePrompt> files,
                                                    TextTokenizer tokenizer, int limit) {
        List<HeldOutSuite.Prompt> prompts = new ArrayList<>();
        if (!files.isEmpty()) {
            ChatTemplate chat = SuiteRunner.chatTemplate(tokenizer);
            for (FilePrompt p : files.subList(0, Math.min(limit, files.size()))) {
                prompts.add(new HeldOutSuite.Prompt(p.id(), SUITE, p.task(), null, SuiteRunner.userPrompt(tokenizer, chat,
                        p.prompt()), p.prompt(), p.reference() == null ? List.of() : List.of(p.reference())));
            }
        }
        HeldOutSuite.promptsOf(examples, Set.of(Splits.REVIEW)).stream().sorted(Comparator.comparing(HeldOutSuite.Prompt::id))
                .limit(Math.max(0, limit - prompts.size())).forEach(prompts::add);
        return prompts;
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
                            tokenizer.decodeSkippingSpecial(outputs.get(i).tokens()).strip(),
                            p.references().isEmpty() ? null : p.references().get(0),
                            Map.of(), outputs.get(i).meanEntropy()));
                }
            }
        }
        results.sort(Comparator.comparing(SuiteRunner.PromptResult::promptId));
        return results;
    }
}
