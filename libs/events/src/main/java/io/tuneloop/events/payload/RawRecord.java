package io.tuneloop.events.payload;

import java.util.List;
import java.util.Map;

/**
 * A validated raw example, normalised from whatever source format it came in: either a single
 * instruction/input/output triple, or a conversation in {@code messages}.
 *
 * @param recordId    content hash of the normalised example (dedup key; same content, same id)
 * @param dataset     dataset name
 * @param batchId     ingest batch it belongs to
 * @param sequence    0-based position within the batch
 * @param sourceFormat detected or declared source format (alpaca, dolly, sharegpt, ...)
 * @param task        task name when the source has one
 * @param category    task category when the source has one
 * @param language    BCP-47 language when known
 * @param instruction the instruction (absent for pure conversations)
 * @param input       optional context/input
 * @param output      the reference response (absent for pure conversations)
 * @param messages    conversation turns (absent for single-turn records)
 * @param isClassification whether outputs are drawn from a fixed label set
 * @param provenance  where it came from
 * @param attributes  any other source fields kept verbatim as strings
 * @param tools       the tools (JSON-schema function specs) a conversation's assistant may call, when it has any
 * @param preference  for a preference record (a pair, or a completion with a label): its answers;
 *                    {@code messages} then holds the prompt. Null for an ordinary record.
 */
public record RawRecord(String recordId, String dataset, String batchId, long sequence, String sourceFormat,
                        String task, String category, String language, String instruction, String input,
                        String output, List<ChatMessage> messages, Boolean isClassification,
                        Provenance provenance, Map<String, String> attributes, List<Object> tools,
                        Preference preference) {
    /** The source format of samples chosen from human ratings (they always train: they are the round's point). */
    public static final String FEEDBACK_FORMAT = "feedback";

    public RawRecord {
        Require.texts("recordId", recordId, "dataset", dataset, "batchId", batchId);
        Require.nonNegative(sequence, "sequence");
        Require.present(provenance, "provenance");
        boolean single = instruction != null && !instruction.isBlank() && output != null && !output.isBlank();
        boolean conversation = messages != null && !messages.isEmpty();
        if (!single && !conversation) {
            throw new InvalidPayloadException("a raw record needs instruction and output, or messages");
        }
        messages = messages == null ? null : List.copyOf(messages);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        if (tools != null && !conversation) {
            throw new InvalidPayloadException("tools belong to a conversation (messages)");
        }
        tools = tools == null || tools.isEmpty() ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(tools));
        if (preference != null) {
            if (!conversation) {
                throw new InvalidPayloadException("a preference record needs its prompt in messages");
            }
            if (messages.get(messages.size() - 1).role().equals("assistant")) {
                throw new InvalidPayloadException("a preference record's prompt must end before the answer, not with an"
                        + " assistant turn");
            }
        }
    }

    public RawRecord(String recordId, String dataset, String batchId, long sequence, String sourceFormat, String task,
                     String category, String language, String instruction, String input, String output,
                     List<ChatMessage> messages, Boolean isClassification, Provenance provenance,
                     Map<String, String> attributes, List<Object> tools) {
        this(recordId, dataset, batchId, sequence, sourceFormat, task, category, language, instruction, input, output,
                messages, isClassification, provenance, attributes, tools, null);
    }

    public RawRecord(String recordId, String dataset, String batchId, long sequence, String sourceFormat, String task,
                     String category, String language, String instruction, String input, String output,
                     List<ChatMessage> messages, Boolean isClassification, Provenance provenance,
                     Map<String, String> attributes) {
        this(recordId, dataset, batchId, sequence, sourceFormat, task, category, language, instruction, input, output,
                messages, isClassification, provenance, attributes, null);
    }
}
