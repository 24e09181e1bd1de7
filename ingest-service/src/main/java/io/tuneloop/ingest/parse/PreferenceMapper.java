package io.tuneloop.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.InvalidPayloadException;
import io.tuneloop.events.payload.Preference;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Preference data as the tools users have write it, read as preference records (a prompt and its
 * answers), never as fine-tuning text:
 * <ul>
 *   <li>LLaMA-Factory's pairs: ShareGPT {@code conversations} (the prompt, earlier turns included)
 *       with {@code chosen} and {@code rejected} turns {@code {from, value}}, or the same with
 *       {@code messages} and {@code {role, content}};</li>
 *   <li>TRL's pairs: {@code prompt}, {@code chosen}, {@code rejected} as strings (a user prompt and
 *       assistant answers) or as message lists; or only {@code chosen} and {@code rejected}, whole
 *       conversations whose shared beginning is the prompt (the implicit prompt);</li>
 *   <li>unary feedback: LLaMA-Factory's {@code messages} (or {@code conversations}) whose last
 *       answer is labelled by a boolean {@code label}; TRL's {@code prompt}, {@code completion},
 *       {@code label}.</li>
 * </ul>
 * Every prompt and answer goes through the same conversation reader as ordinary records (roles,
 * tool calls, content parts, turn order), so what is refused there is refused here by the same name.
 */
final class PreferenceMapper {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PreferenceMapper() {
    }

    /** The record as a preference record, or empty when it is not one. */
    static Optional<ParsedRecord> map(JsonNode node, long line, String task, String language, Map<String, String> attributes) {
        boolean pair = node.has("chosen") || node.has("rejected");
        boolean unary = node.path("label").isBoolean()
                && (node.has("messages") || node.has("conversations") || node.has("completion"));
        if (!pair && !unary) {
            return Optional.empty();
        }
        Map<String, String> kept = new java.util.TreeMap<>(attributes);
        kept.keySet().removeAll(List.of("chosen", "rejected", "label", "completion", "prompt"));
        Shape shape = shape(node, pair);
        Preference preference;
        List<ChatMessage> prompt;
        List<Object> tools;
        try {
            if (pair) {
                if (!node.has("chosen") || !node.has("rejected")) {
                    throw new InvalidRecordException(node.has("chosen") ? "rejected" : "chosen",
                            "is missing: a preference pair needs both chosen and rejected", "missing-field");
                }
                Answered chosen = answered(node, shape, "chosen");
                Answered rejected = answered(node, shape, "rejected");
                int promptLength = shape == Shape.TRL_IMPLICIT ? commonPrefix(chosen.turns(), rejected.turns())
                        : chosen.promptLength();
                prompt = chosen.turns().subList(0, promptLength);
                if (!rejected.turns().subList(0, Math.min(promptLength, rejected.turns().size())).equals(prompt)) {
                    throw new InvalidRecordException("rejected", "does not answer the same prompt as chosen",
                            "invalid-preference");
                }
                preference = Preference.pair(chosen.turns().subList(promptLength, chosen.turns().size()),
                        rejected.turns().subList(promptLength, rejected.turns().size()));
                tools = chosen.tools();
            } else {
                Answered whole = shape == Shape.TRL ? answered(node, shape, "completion") : wholeConversation(node, shape);
                int promptLength = shape == Shape.TRL ? whole.promptLength() : lastUserTurn(whole.turns()) + 1;
                prompt = whole.turns().subList(0, promptLength);
                preference = Preference.unary(whole.turns().subList(promptLength, whole.turns().size()),
                        node.get("label").asBoolean());
                tools = whole.tools();
            }
        } catch (InvalidPayloadException e) {
            throw new InvalidRecordException(pair ? "chosen" : "completion", e.getMessage(), "invalid-preference");
        }
        if (prompt.isEmpty()) {
            throw new InvalidRecordException(shape == Shape.TRL_IMPLICIT ? "chosen" : shape.promptField,
                    "leaves no prompt: the answers must follow at least one user turn", "invalid-preference");
        }
        if (prompt.get(prompt.size() - 1).role().equals("assistant")) {
            throw new InvalidRecordException(shape.promptField, "ends with an assistant turn: the prompt must end where"
                    + " the answer begins", "invalid-preference");
        }
        SourceFormat format = pair ? shape.pairFormat : shape.unaryFormat;
        return Optional.of(new ParsedRecord(format, line, task, null, language, null, null, null, List.copyOf(prompt),
                null, kept, tools, preference));
    }

    /** Where the prompt is and how turns are written. */
    private enum Shape {
        SHAREGPT("conversations", SourceFormat.SHAREGPT_PREFERENCE, SourceFormat.SHAREGPT_UNARY),
        MESSAGES("messages", SourceFormat.OPENAI_CHAT_PREFERENCE, SourceFormat.OPENAI_CHAT_UNARY),
        TRL("prompt", SourceFormat.TRL_PREFERENCE, SourceFormat.TRL_UNARY),
        TRL_IMPLICIT("chosen", SourceFormat.TRL_IMPLICIT_PREFERENCE, null);

        final String promptField;
        final SourceFormat pairFormat;
        final SourceFormat unaryFormat;

        Shape(String promptField, SourceFormat pairFormat, SourceFormat unaryFormat) {
            this.promptField = promptField;
            this.pairFormat = pairFormat;
            this.unaryFormat = unaryFormat;
        }
    }

    private static Shape shape(JsonNode node, boolean pair) {
        if (node.has("conversations")) {
            return Shape.SHAREGPT;
        }
        if (node.has("messages")) {
            return Shape.MESSAGES;
        }
        if (node.has("prompt")) {
            return Shape.TRL;
        }
        if (!pair) {
            throw new InvalidRecordException("prompt", "is missing: a labelled completion needs its prompt",
                    "missing-field");
        }
        if (!node.path("chosen").isArray() || !node.path("rejected").isArray()) {
            throw new InvalidRecordException("prompt", "is missing; without it, chosen and rejected must be whole"
                    + " conversations (message lists) that begin with the same prompt", "missing-field");
        }
        return Shape.TRL_IMPLICIT;
    }

    /** A prompt followed by one answer, read as one conversation; the prompt's length in turns. */
    private record Answered(List<ChatMessage> turns, int promptLength, List<Object> tools) {
    }

    private static Answered answered(JsonNode node, Shape shape, String answerField) {
        boolean shareGpt = shape == Shape.SHAREGPT || (shape == Shape.TRL_IMPLICIT
                && node.get(answerField).path(0).has("from"));
        String turnsField = shareGpt ? "conversations" : "messages";
        ArrayNode turns = NODES.arrayNode();
        ObjectNode promptOnly = conversationRecord(node, turnsField);
        if (shape != Shape.TRL_IMPLICIT) {
            ArrayNode prompt = promptTurns(node, shape);
            turns.addAll(prompt);
            promptOnly.set(turnsField, prompt);
        }
        turns.addAll(answerTurns(node.get(answerField), answerField, shareGpt));
        ObjectNode whole = conversationRecord(node, turnsField);
        whole.set(turnsField, turns);
        ConversationMapper.Conversation conversation = shareGpt ? ConversationMapper.shareGpt(whole, true)
                : ConversationMapper.openAi(whole, turnsField, true);
        int promptLength = 0;
        if (shape != Shape.TRL_IMPLICIT) {
            promptLength = (shareGpt ? ConversationMapper.shareGpt(promptOnly, false)
                    : ConversationMapper.openAi(promptOnly, turnsField, false)).messages().size();
        }
        return new Answered(conversation.messages(), promptLength, conversation.tools());
    }

    private static Answered wholeConversation(JsonNode node, Shape shape) {
        ConversationMapper.Conversation conversation = shape == Shape.SHAREGPT ? ConversationMapper.shareGpt(node, true)
                : ConversationMapper.openAi(node, "messages", true);
        return new Answered(conversation.messages(), 0, conversation.tools());
    }

    /** The fields a conversation reader looks at besides its turns: system (ShareGPT), tools, functions. */
    private static ObjectNode conversationRecord(JsonNode node, String turnsField) {
        ObjectNode record = NODES.objectNode();
        for (String field : List.of("system", "tools", "functions")) {
            if (node.has(field)) {
                record.set(field, node.get(field));
            }
        }
        record.set(turnsField, NODES.arrayNode());
        return record;
    }

    private static ArrayNode promptTurns(JsonNode node, Shape shape) {
        JsonNode prompt = node.get(shape.promptField);
        if (prompt.isTextual()) {
            if (prompt.asText().isBlank()) {
                throw new InvalidRecordException(shape.promptField, "is empty", "missing-field");
            }
            return NODES.arrayNode().add(NODES.objectNode().put("role", "user").put("content", prompt.asText()));
        }
        if (!prompt.isArray() || prompt.isEmpty()) {
            throw new InvalidRecordException(shape.promptField, "must be text or a non-empty list of turns", "wrong-type");
        }
        return ((ArrayNode) prompt).deepCopy();
    }

    /** An answer as text (the assistant's turn), one turn object, or a list of turns. */
    private static ArrayNode answerTurns(JsonNode answer, String field, boolean shareGpt) {
        if (answer == null || answer.isNull()) {
            throw new InvalidRecordException(field, "is missing", "missing-field");
        }
        if (answer.isTextual()) {
            if (answer.asText().isBlank()) {
                throw new InvalidRecordException(field, "is empty", "missing-field");
            }
            ObjectNode turn = shareGpt ? NODES.objectNode().put("from", "gpt").put("value", answer.asText())
                    : NODES.objectNode().put("role", "assistant").put("content", answer.asText());
            return NODES.arrayNode().add(turn);
        }
        if (answer.isObject()) {
            return NODES.arrayNode().add(answer.deepCopy());
        }
        if (answer.isArray() && !answer.isEmpty()) {
            return ((ArrayNode) answer).deepCopy();
        }
        throw new InvalidRecordException(field, "must be text, a turn or a non-empty list of turns", "wrong-type");
    }

    private static int commonPrefix(List<ChatMessage> a, List<ChatMessage> b) {
        int n = 0;
        while (n < a.size() && n < b.size() && a.get(n).equals(b.get(n))) {
            n++;
        }
        return n;
    }

    private static int lastUserTurn(List<ChatMessage> turns) {
        for (int i = turns.size() - 1; i >= 0; i--) {
            if (turns.get(i).role().equals("user")) {
                return i;
            }
        }
        throw new InvalidRecordException("messages", "has no user turn: a labelled completion needs its prompt",
                "invalid-preference");
    }
}
