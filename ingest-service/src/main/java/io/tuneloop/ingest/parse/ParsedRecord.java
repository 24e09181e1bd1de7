package io.tuneloop.ingest.parse;

import io.tuneloop.events.payload.ChatMessage;

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
 */
public record ParsedRecord(SourceFormat format, long line, String task, String category, String language,
                           String instruction, String input, String output, List<ChatMessage> messages,
                           Boolean isClassification, Map<String, String> attributes, List<Object> tools) {
    public ParsedRecord(SourceFormat format, long line, String task, String category, String language,
                        String instruction, String input, String output, List<ChatMessage> messages,
                        Boolean isClassification, Map<String, String> attributes) {
        this(format, line, task, category, language, instruction, input, output, messages, isClassification, attributes, null);
    }
}
