package io.tuneloop.model.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One turn of a conversation as a chat template sees it: a role, its text, and any other fields
 * the turn carries (an assistant's {@code tool_calls}, a tool result's {@code tool_call_id} and
 * {@code name}, {@code reasoning_content}), passed to the template unchanged.
 */
public record Message(String role, String content, Map<String, Object> fields) {
    public Message {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("a message needs a role");
        }
        if (content == null) {
            throw new IllegalArgumentException("a message needs content");
        }
        fields = fields == null ? Map.of() : Map.copyOf(fields);
        if (fields.containsKey("role") || fields.containsKey("content")) {
            throw new IllegalArgumentException("role and content are not extra fields");
        }
    }

    public Message(String role, String content) {
        this(role, content, Map.of());
    }

    public static Message system(String content) {
        return new Message("system", content);
    }

    public static Message user(String content) {
        return new Message("user", content);
    }

    public static Message assistant(String content) {
        return new Message("assistant", content);
    }

    /** The message as the dict a template receives: role, content, then the other fields. */
    public Map<String, Object> asTemplateValue() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("role", role);
        value.put("content", content);
        value.putAll(new java.util.TreeMap<>(fields));
        return value;
    }
}
