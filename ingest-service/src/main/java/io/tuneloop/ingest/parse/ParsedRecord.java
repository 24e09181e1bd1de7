package io.tuneloop.ingest.parse;

import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.Preference;

import java.util.List;
import java.util.Map;

/**
 * A record as read from a source, normalised, before it gets its id and batch.
 *
 * @param format      the source format it was recognised as
 * @param line        1-based line (or element) number in the source
 * @param task        task name, when the source has one
 * @param category    task category, when the source has one
 * @param language    language, when the source has one
 * @param instruction instruction text (single-turn records)
 * @param input       optional input/context
 * @param output      response (single-turn records)
 * @param messages    conversation turns (multi-turn records)
 * @param isClassification whether the task's outputs come from a label set
 * @param attributes  other scalar fields of the source, kept as text
 * @param tools       tool specs a conversation's assistant may call (null when none)
 * @param preference  the answers of a preference record, whose {@code messages} are its prompt (null otherwise)
 */
public record ParsedRecord(SourceFormat format, long line, String task, String category, String language,
                           String instruction, String input, String output, List<ChatMessage> messages,
                           Boolean isClassification, Map<String, String> attributes, List<Object> tools,
                           Preference preference) {
    public ParsedRecord(SourceFormat format, long line, String task, String category, String language,
                        String instruction, String input, String output, List<ChatMessage> messages,
                        Boolean isClassification, Map<String, String> attributes, List<Object> tools) {
        this(format, line, task, category, language, instruction, input, output, messages, isClassification, attributes,
                tools, null);
    }

    /** Every turn's text: the prompt's and, for a preference record, every answer's (length limits, near-duplicates). */
    public List<String> texts() {
        List<String> texts = new java.util.ArrayList<>();
        if (messages == null) {
            texts.add(instruction);
            if (input != null) {
                texts.add(input);
            }
            texts.add(output);
            return texts;
        }
        messages.forEach(m -> texts.add(m.content()));
        if (preference != null) {
            for (List<ChatMessage> answer : preference.pairwise() ? List.of(preference.chosen(), preference.rejected())
                    : List.of(preference.completion())) {
                answer.forEach(m -> texts.add(m.content()));
            }
        }
        return texts;
    }

    public ParsedRecord(SourceFormat format, long line, String task, String category, String language,
                        String instruction, String input, String output, List<ChatMessage> messages,
                        Boolean isClassification, Map<String, String> attributes) {
        this(format, line, task, category, language, instruction, input, output, messages, isClassification, attributes, null);
    }
}
