package io.tuneloop.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.InvalidPayloadException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Recognises the format of one JSON object by its fields and maps it to normalised records
 * (a self-instruct task yields one record per instance). Throws {@link InvalidRecordException}
 * naming the field when the object is of a known shape but broken, or of no known shape.
 */
public final class RecordMapper {
    private static final Set<String> KNOWN = Set.of("instruction", "input", "output", "context", "response",
            "category", "instances", "name", "id", "is_classification", "prompt", "completion", "messages",
            "conversations", "task", "language", "system", "inputs", "targets", "task_name");

    private RecordMapper() {
    }

    public static List<ParsedRecord> map(JsonNode node, long line) {
        if (!node.isObject()) {
            throw new InvalidRecordException(null, "expected a JSON object, found " + node.getNodeType().name().toLowerCase());
        }
        String task = text(node, "task");
        String language = text(node, "language");
        Map<String, String> attributes = attributes(node);
        if (node.has("instances")) {
            return selfInstruct(node, line, language, attributes);
        }
        if (node.has("messages")) {
            return List.of(new ParsedRecord(SourceFormat.OPENAI_CHAT, line, task, null, language, null, null, null,
                    openAiMessages(node.get("messages")), null, attributes));
        }
        if (node.has("conversations")) {
            return List.of(new ParsedRecord(SourceFormat.SHAREGPT, line, task, null, language, null, null, null,
                    shareGptTurns(node), null, attributes));
        }
        if (node.has("inputs") && node.has("targets")) {
            // FLAN collection exports: a rendered input and its target, with the task name
            return List.of(new ParsedRecord(SourceFormat.FLAN, line, task != null ? task : text(node, "task_name"), null,
                    language, required(node, "inputs"), null, required(node, "targets"), null, null, attributes));
        }
        if (node.has("prompt") || node.has("completion")) {
            return List.of(new ParsedRecord(SourceFormat.PROMPT_COMPLETION, line, task, null, language,
                    required(node, "prompt"), null, required(node, "completion"), null, null, attributes));
        }
        if (node.has("response") || node.has("context")) {
            String category = text(node, "category");
            return List.of(new ParsedRecord(SourceFormat.DOLLY, line, task != null ? task : category, category,
                    language, required(node, "instruction"), text(node, "context"), required(node, "response"),
                    null, null, attributes));
        }
        if (node.has("instruction") || node.has("output")) {
            return List.of(new ParsedRecord(SourceFormat.ALPACA, line, task, null, language,
                    required(node, "instruction"), text(node, "input"), required(node, "output"), null, null,
                    attributes));
        }
        throw new InvalidRecordException(null, "unknown format: fields " + fieldNames(node)
                + " match none of alpaca, dolly, self-instruct, prompt/completion, openai chat, sharegpt, flan"
                + " (for other data, pass a column mapping)");
    }

    /**
     * A Super-NaturalInstructions task file: one JSON object with the task's Definition, Categories,
     * languages and Instances (each {input, output: [references]}); one record per instance, its
     * first reference as the output and the others kept as attributes.
     */
    public static List<ParsedRecord> superNatural(JsonNode task, String taskName) {
        String definition = firstText(task.path("Definition"));
        if (definition == null || definition.isBlank()) {
            throw new InvalidRecordException("Definition", "is missing or empty");
        }
        String category = firstText(task.path("Categories"));
        String language = firstText(task.path("Input_language"));
        JsonNode instances = task.path("Instances");
        if (!instances.isArray() || instances.isEmpty()) {
            throw new InvalidRecordException("Instances", "must be a non-empty array of {input, output}");
        }
        List<ParsedRecord> records = new java.util.ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            JsonNode instance = instances.get(i);
            JsonNode outputs = instance.path("output");
            String output = outputs.isArray() ? firstText(outputs) : text(instance, "output");
            if (output == null || output.isBlank()) {
                throw new InvalidRecordException("Instances[" + i + "].output", "is missing or empty");
            }
            Map<String, String> attributes = new TreeMap<>();
            if (outputs.isArray() && outputs.size() > 1) {
                for (int r = 1; r < outputs.size(); r++) {
                    attributes.put("reference_" + r, outputs.get(r).asText());
                }
            }
            if (instance.hasNonNull("id")) {
                attributes.put("id", instance.get("id").asText());
            }
            records.add(new ParsedRecord(SourceFormat.SUPER_NATURAL_INSTRUCTIONS, i + 1L, taskName, category,
                    language == null ? null : language.toLowerCase(java.util.Locale.ROOT), definition,
                    text(instance, "input"), output, null, null, attributes));
        }
        return records;
    }

    public static boolean isSuperNatural(JsonNode node) {
        return node.isObject() && node.has("Definition") && node.has("Instances");
    }

    private static String firstText(JsonNode node) {
        if (node.isArray()) {
            return node.isEmpty() ? null : node.get(0).asText();
        }
        return node.isValueNode() ? node.asText() : null;
    }

    private static List<ParsedRecord> selfInstruct(JsonNode node, long line, String language, Map<String, String> attributes) {
        String instruction = required(node, "instruction");
        String task = text(node, "name");
        JsonNode instances = node.get("instances");
        if (!instances.isArray() || instances.isEmpty()) {
            throw new InvalidRecordException("instances", "must be a non-empty array of {input, output}");
        }
        Boolean classification = node.has("is_classification") ? node.get("is_classification").asBoolean() : null;
        List<ParsedRecord> records = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            JsonNode instance = instances.get(i);
            String output = text(instance, "output");
            if (output == null || output.isBlank()) {
                throw new InvalidRecordException("instances[" + i + "].output", "is missing or empty");
            }
            records.add(new ParsedRecord(SourceFormat.SELF_INSTRUCT, line, task, null, language, instruction,
                    text(instance, "input"), output, null, classification, attributes));
        }
        return records;
    }

    private static List<ChatMessage> openAiMessages(JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw new InvalidRecordException("messages", "must be a non-empty array of {role, content}");
        }
        List<ChatMessage> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = text(m, "role");
            String content = text(m, "content");
            if (role == null || content == null) {
                throw new InvalidRecordException("messages[" + i + "]", "needs role and content");
            }
            Boolean train = m.has("weight") ? m.get("weight").asInt() != 0 : null;
            turns.add(turn(role, content, train, "messages[" + i + "].role"));
        }
        return checkedConversation(turns, "messages");
    }

    private static List<ChatMessage> shareGptTurns(JsonNode node) {
        JsonNode conversations = node.get("conversations");
        if (!conversations.isArray() || conversations.isEmpty()) {
            throw new InvalidRecordException("conversations", "must be a non-empty array of {from, value}");
        }
        List<ChatMessage> turns = new ArrayList<>();
        String system = text(node, "system");
        if (system != null && !system.isBlank()) {
            turns.add(new ChatMessage("system", system, null));
        }
        for (int i = 0; i < conversations.size(); i++) {
            JsonNode turn = conversations.get(i);
            String from = text(turn, "from");
            String value = text(turn, "value");
            if (from == null || value == null) {
                throw new InvalidRecordException("conversations[" + i + "]", "needs from and value");
            }
            String role = switch (from) {
                case "human", "user" -> "user";
                case "gpt", "assistant", "bing", "chatgpt", "bard" -> "assistant";
                case "system" -> "system";
                default -> throw new InvalidRecordException("conversations[" + i + "].from",
                        "must be human, gpt or system, was " + from);
            };
            turns.add(new ChatMessage(role, value, null));
        }
        return checkedConversation(turns, "conversations");
    }

    private static ChatMessage turn(String role, String content, Boolean train, String field) {
        try {
            return new ChatMessage(role, content, train);
        } catch (InvalidPayloadException e) {
            throw new InvalidRecordException(field, e.getMessage());
        }
    }

    private static List<ChatMessage> checkedConversation(List<ChatMessage> turns, String field) {
        if (turns.stream().noneMatch(t -> t.role().equals("assistant") && !t.content().isBlank())) {
            throw new InvalidRecordException(field, "has no assistant turn to learn from");
        }
        return turns;
    }

    private static String required(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null) {
            throw new InvalidRecordException(field, "is missing");
        }
        if (value.isBlank()) {
            throw new InvalidRecordException(field, "is empty");
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new InvalidRecordException(field, "must be text, found " + value.getNodeType().name().toLowerCase());
        }
        return value.asText();
    }

    private static Map<String, String> attributes(JsonNode node) {
        Map<String, String> attributes = new TreeMap<>();
        node.fields().forEachRemaining(e -> {
            if (!KNOWN.contains(e.getKey()) && e.getValue().isValueNode() && !e.getValue().isNull()) {
                attributes.put(e.getKey(), e.getValue().asText());
            }
        });
        if (node.has("id") && node.get("id").isValueNode()) {
            attributes.put("id", node.get("id").asText());
        }
        return attributes;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
