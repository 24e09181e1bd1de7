package io.tuneloop.events.dataset;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How a dataset's raw records become a version: phrasings, splits, mixing, chat format and
 * tokenization. Stored with the dataset (and copied into every manifest), so a version can be
 * rebuilt exactly. Every field has a default; an empty spec gives one Alpaca-style phrasing per
 * record, a 10% validation split and no tokenization.
 *
 * @param phrasingsPerRecord   how many different phrasings each record is rendered with (FLAN: 1 per
 *                             example, drawn from ~10 per task)
 * @param fewShot              share of training examples given exemplars of the same task, and how many
 * @param validationFraction   share of records (by content hash) in the validation split
 * @param heldOutTasks         tasks (or categories) never trained on: they form the heldout_tasks split
 * @param heldOutTemplates     phrasings never trained on: validation records are also rendered with one
 *                             of them into the heldout_phrasings split
 * @param maxPerTask           examples-per-task cap for training (0 = none)
 * @param mixing               how tasks are weighted in the training split
 * @param curriculum           "none" (by id) or "length" (shorter examples first)
 * @param chatFormat           "model" (the tokenizer's chat_template), "alpaca", "chatml" or "plain"
 * @param systemPrompt         a system turn put before every example, when the chat format has one
 * @param model                the model (models/&lt;model&gt;/ in the store) whose tokenizer and chat
 *                             template are used; null: text only, no token ids
 * @param maxTokens            longest example in tokens
 * @param truncation           "truncate" (cut the end; drop when no response token is left) or "drop"
 * @param heldOutFewShot       also render each held-out example with this many exemplars of its own
 *                             held-out task (few-shot evaluation; 0 = zero-shot only)
 * @param reviewFraction       share of records (by content hash, apart from validation) held back from
 *                             training as the review pool: rendered like training examples into the
 *                             review split, whose prompts eval answers for raters
 * @param contamination        what to do with a training example or pair that shares a normalised 13-gram
 *                             with a prompt of any eval suite: "drop" it (into the quarantine, counted),
 *                             "refuse" the whole version, or "report" it and keep it
 */
public record DatasetSpec(Integer phrasingsPerRecord, FewShot fewShot, Double validationFraction,
                          List<String> heldOutTasks, List<String> heldOutTemplates, Integer maxPerTask,
                          Mixing mixing, String curriculum, String chatFormat, String systemPrompt, String model,
                          Integer maxTokens, String truncation, Integer heldOutFewShot, Double reviewFraction,
                          String contamination) {

    public static final Set<String> CONTAMINATION_POLICIES = Set.of("drop", "refuse", "report");

    public static final Set<String> CHAT_FORMATS = Set.of("model", "alpaca", "chatml", "plain");

    /** Few-shot variants: {@code fraction} of training examples get {@code k} exemplars. */
    public record FewShot(double fraction, int k) {
        public FewShot {
            if (fraction < 0 || fraction > 1 || k < 0 || k > 16) {
                throw new IllegalArgumentException("fewShot needs 0 <= fraction <= 1 and 0 <= k <= 16");
            }
        }
    }

    /**
     * Task weighting of the training split. "natural": every example once. "proportional": each task
     * contributes min(n, maxRate) examples (FLAN 2021's examples-proportional mixing with a maximum
     * rate). "temperature": weights proportional to min(n, maxRate)^(1/temperature), scaled to the same
     * total, small tasks repeated as needed (T5's temperature-scaled mixing).
     */
    public record Mixing(String strategy, Integer maxRate, Double temperature) {
        public Mixing {
            strategy = strategy == null ? "natural" : strategy.toLowerCase(Locale.ROOT);
            if (!Set.of("natural", "proportional", "temperature").contains(strategy)) {
                throw new IllegalArgumentException("mixing.strategy must be natural, proportional or temperature; was "
                        + strategy);
            }
            if (maxRate != null && maxRate < 1) {
                throw new IllegalArgumentException("mixing.maxRate must be at least 1");
            }
            if (temperature != null && temperature <= 0) {
                throw new IllegalArgumentException("mixing.temperature must be positive");
            }
        }
    }

    public DatasetSpec {
        phrasingsPerRecord = phrasingsPerRecord == null ? 1 : phrasingsPerRecord;
        if (phrasingsPerRecord < 1 || phrasingsPerRecord > 10) {
            throw new IllegalArgumentException("phrasingsPerRecord must be 1-10");
        }
        fewShot = fewShot == null ? new FewShot(0, 0) : fewShot;
        validationFraction = validationFraction == null ? 0.1 : validationFraction;
        if (validationFraction < 0 || validationFraction >= 1) {
            throw new IllegalArgumentException("validationFraction must be in [0, 1)");
        }
        heldOutTasks = heldOutTasks == null ? List.of() : List.copyOf(heldOutTasks);
        heldOutTemplates = heldOutTemplates == null ? List.of() : List.copyOf(heldOutTemplates);
        maxPerTask = maxPerTask == null ? 0 : maxPerTask;
        if (maxPerTask < 0) {
            throw new IllegalArgumentException("maxPerTask must be >= 0 (0 = no cap)");
        }
        mixing = mixing == null ? new Mixing("natural", null, null) : mixing;
        curriculum = curriculum == null ? "none" : curriculum.toLowerCase(Locale.ROOT);
        if (!Set.of("none", "length").contains(curriculum)) {
            throw new IllegalArgumentException("curriculum must be none or length; was " + curriculum);
        }
        chatFormat = chatFormat == null ? (model == null ? "alpaca" : "model") : chatFormat.toLowerCase(Locale.ROOT);
        if (!CHAT_FORMATS.contains(chatFormat)) {
            throw new IllegalArgumentException("chatFormat must be one of " + CHAT_FORMATS + "; was " + chatFormat);
        }
        if (chatFormat.equals("model") && model == null) {
            throw new IllegalArgumentException("chatFormat model needs a model whose tokenizer carries a chat_template");
        }
        maxTokens = maxTokens == null ? 2048 : maxTokens;
        if (maxTokens < 8) {
            throw new IllegalArgumentException("maxTokens must be at least 8");
        }
        heldOutFewShot = heldOutFewShot == null ? 0 : heldOutFewShot;
        if (heldOutFewShot < 0 || heldOutFewShot > 16) {
            throw new IllegalArgumentException("heldOutFewShot must be 0-16");
        }
        reviewFraction = reviewFraction == null ? 0.0 : reviewFraction;
        if (reviewFraction < 0 || validationFraction + reviewFraction >= 1) {
            throw new IllegalArgumentException("reviewFraction must be >= 0 and leave records to train on"
                    + " (validationFraction + reviewFraction < 1)");
        }
        contamination = contamination == null ? "drop" : contamination.toLowerCase(Locale.ROOT);
        if (!CONTAMINATION_POLICIES.contains(contamination)) {
            throw new IllegalArgumentException("contamination must be drop, refuse or report; was " + contamination);
        }
        truncation = truncation == null ? "truncate" : truncation.toLowerCase(Locale.ROOT);
        if (!Set.of("truncate", "drop").contains(truncation)) {
            throw new IllegalArgumentException("truncation must be truncate or drop; was " + truncation);
        }
    }

    public DatasetSpec(Integer phrasingsPerRecord, FewShot fewShot, Double validationFraction, List<String> heldOutTasks,
                       List<String> heldOutTemplates, Integer maxPerTask, Mixing mixing, String curriculum,
                       String chatFormat, String systemPrompt, String model, Integer maxTokens, String truncation,
                       Integer heldOutFewShot) {
        this(phrasingsPerRecord, fewShot, validationFraction, heldOutTasks, heldOutTemplates, maxPerTask, mixing,
                curriculum, chatFormat, systemPrompt, model, maxTokens, truncation, heldOutFewShot, null, null);
    }

    public static DatasetSpec defaults() {
        return new DatasetSpec(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null);
    }

    public boolean heldOutTask(String task, String category) {
        return heldOutTasks.stream().anyMatch(t -> t.equalsIgnoreCase(String.valueOf(task))
                || t.equalsIgnoreCase(String.valueOf(category)));
    }
}
