package io.tuneloop.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The generic mapping for data in no known format: which source field is the instruction, the
 * input, the output, the task, the category, the language. Applied before format detection, so a
 * mapped record is read as Alpaca (with task, category, language kept).
 *
 * @param sourceByField canonical field (instruction, input, output, task, category, language) → source field
 */
public record ColumnMapping(Map<String, String> sourceByField) {
    public static final Set<String> FIELDS = Set.of("instruction", "input", "output", "task", "category", "language");
    public static final ColumnMapping NONE = new ColumnMapping(Map.of());

    public ColumnMapping {
        for (String field : sourceByField.keySet()) {
            if (!FIELDS.contains(field)) {
                throw new IllegalArgumentException("cannot map '" + field + "': mappable fields are " + new TreeMap<>(
                        Map.of("instruction", 1, "input", 1, "output", 1, "task", 1, "category", 1, "language", 1)).keySet());
            }
        }
        sourceByField = Map.copyOf(sourceByField);
    }

    public boolean isEmpty() {
        return sourceByField.isEmpty();
    }

    /** Copies mapped source fields to their canonical names (the source fields stay as attributes). */
    public JsonNode apply(JsonNode record) {
        if (sourceByField.isEmpty() || !record.isObject()) {
            return record;
        }
        ObjectNode mapped = ((ObjectNode) record).deepCopy();
        sourceByField.forEach((field, source) -> {
            if (record.has(source)) {
                mapped.set(field, record.get(source));
                mapped.remove(source);
            }
        });
        return mapped;
    }
}
