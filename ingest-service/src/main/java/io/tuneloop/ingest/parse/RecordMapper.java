package io.tuneloop.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;

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
            "conversations", "task", "language", "system", "inputs", "targets", "task_name", "tools", "functions", "chosen",
            "rejected");


    private RecordMapper() {
    }

    public static List<ParsedRecord> map(JsonNode node, long line) {
        if (!node.isObject()) {
            throw new InvalidRecordException(null, "expected a JSON object, found " + node.getNodeType().name().toLowerCase(),
                    "unknown-format");
        }
        String task = text(node, "task");
        String language = text(node, "language");
        Map<String, String> attributes = attributes(node);
        java.util.Optional<ParsedRecord> preference = PreferenceMapper.map(node, line, task, language, attributes);
        if (preference.isPresent()) {
            return List.of(preference.get());
        }
        if (node.has("instances")) {
            return selfInstruct(node, line, language, attributes);
        }
        if (node.has("messages")) {
            ConversationMapper.Conversation c = ConversationMapper.openAi(node);
            return List.of(new ParsedRecord(SourceFormat.OPENAI_CHAT, line, task, null, language, null, null, null,
                    c.messages(), null, attributes, c.tools()));
        }
        if (node.has("conversations")) {
            ConversationMapper.Conversation c = ConversationMapper.shareGpt(node);
            return List.of(new ParsedRecord(SourceFormat.SHAREGPT, line, task, null, language, null, null, null,
                    c.messages(), null, attributes, c.tools()));
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
                + " (for other data, pass a column mapping)", "unknown-format");
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

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new InvalidRecordException(field, "must be text, found " + value.getNodeType().name().toLowerCase(),
                    "wrong-type");
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
