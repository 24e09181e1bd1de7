package io.tuneloop.events.dataset;

import io.tuneloop.events.payload.ChatMessage;

import java.util.List;

/**
 * One training (or evaluation) example as the trainer and the eval service read it. It holds no
 * dataset or batch name (the manifest lists the batches; the record id leads back to the raw record),
 * so the same records and spec give byte-identical shards whatever dataset or upload they came in.
 *
 * @param id         stable id: the raw record id, the template id, and a repeat index when mixing
 *                   repeats the example
 * @param recordId   the raw record it was made from (content hash)
 * @param task       task name (or the category, or "unknown")
 * @param category   task category, when the source has one (reports group by it)
 * @param templateId the phrasing used ("conversation" for multi-turn records, {@value #FEEDBACK_TEMPLATE} for a
 *                   feedback round's samples, the prompt as raters saw it); "+fs&lt;k&gt;" when k exemplars
 *                   precede it
 * @param language   language when known
 * @param split      train, validation, heldout_tasks or heldout_phrasings
 * @param prompt     the rendered task prompt (single-turn examples)
 * @param response   the response to learn (single-turn examples)
 * @param messages   the turns of a multi-turn example (null for single-turn ones)
 * @param text       the full text the model sees, after the chat format
 * @param tokens     token ids of {@code text} (null when the spec names no model)
 * @param lossSpans  [start, end) token ranges whose prediction is learned: the response and its
 *                   end-of-turn / EOS token, nothing else
 * @param file       source file of the raw record
 * @param line       line/row in that file
 * @param tools      the tool specs the conversation's assistant may call (null when none)
 */
public record InstructionRecord(String id, String recordId, String task, String category, String templateId,
                                String language, String split, String prompt, String response, List<ChatMessage> messages,
                                String text, int[] tokens, List<int[]> lossSpans, String file,
                                long line, List<Object> tools) {
    /** The template id of a feedback round's samples: what a run's {@code feedbackShare} weighs against the rest. */
    public static final String FEEDBACK_TEMPLATE = "feedback";

    public InstructionRecord(String id, String recordId, String task, String category, String templateId,
                             String language, String split, String prompt, String response, List<ChatMessage> messages,
                             String text, int[] tokens, List<int[]> lossSpans, String file, long line) {
        this(id, recordId, task, category, templateId, language, split, prompt, response, messages, text, tokens,
                lossSpans, file, line, null);
    }

    public InstructionRecord withId(String newId) {
        return new InstructionRecord(newId, recordId, task, category, templateId, language, split, prompt, response, messages,
                text, tokens, lossSpans, file, line, tools);
    }

    public InstructionRecord withEncoding(String newText, int[] newTokens, List<int[]> newSpans) {
        return new InstructionRecord(id, recordId, task, category, templateId, language, split, prompt, response, messages,
                newText, newTokens, newSpans, file, line, tools);
    }

    /** Tokens whose prediction is learned. */
    public int learnedTokens() {
        return lossSpans == null ? 0 : lossSpans.stream().mapToInt(s -> s[1] - s[0]).sum();
    }

    /** Length for ordering and statistics: tokens when tokenized, else characters. */
    public int length() {
        return tokens != null ? tokens.length : text != null ? text.length() : 0;
    }
}
