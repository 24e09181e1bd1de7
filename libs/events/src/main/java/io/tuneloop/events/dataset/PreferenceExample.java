package io.tuneloop.events.dataset;

import io.tuneloop.events.payload.ChatMessage;

import java.util.List;

/**
 * One preference pair as a preference run reads it (the {@value Splits#PREFERENCES} split): the
 * prompt, and each answer rendered after it with the model's chat template and tokenized as one
 * whole sequence, exactly as an SFT example would be, with loss spans on the answer only (earlier
 * assistant turns of the prompt are context). Neither answer is ever an SFT example.
 *
 * @param id       stable id: the raw record id and {@code ":pair"}
 * @param recordId the raw preference record
 * @param task     task name (or "unknown")
 * @param language language when known
 * @param prompt   the turns before the answers
 * @param chosen   the preferred answer after the prompt
 * @param rejected the dispreferred answer after the prompt
 * @param file     source file of the raw record
 * @param line     line in that file
 * @param tools    tool specs the prompt's assistant may call (null when none)
 */
public record PreferenceExample(String id, String recordId, String task, String language, List<ChatMessage> prompt,
                                Answer chosen, Answer rejected, String file, long line, List<Object> tools) {
    /**
     * @param turns     the answer's turns
     * @param text      the whole text (prompt and answer) in the chat format
     * @param tokens    token ids of {@code text} (null when the spec names no model)
     * @param lossSpans [start, end) token ranges of the answer (and its end-of-turn token)
     */
    public record Answer(List<ChatMessage> turns, String text, int[] tokens, List<int[]> lossSpans) {
    }

    /** Length for statistics: the longer sequence's tokens, or characters without a tokenizer. */
    public int length() {
        return Math.max(length(chosen), length(rejected));
    }

    private static int length(Answer answer) {
        return answer.tokens() != null ? answer.tokens().length : answer.text() == null ? 0 : answer.text().length();
    }
}
