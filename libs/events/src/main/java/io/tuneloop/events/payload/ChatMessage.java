package io.tuneloop.events.payload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One turn of a conversation. {@code train} is false for assistant turns that must not be learned
 * (OpenAI's {@code weight: 0}, LLaMA-Factory's {@code loss_weight: 0.0}); it is ignored for other
 * roles. An assistant turn may call tools ({@code toolCalls}); a {@code tool} turn carries a
 * result, with the call it answers ({@code toolCallId}) and the function's {@code name}.
 */
public record ChatMessage(String role, String content, Boolean train, String name, List<ToolCall> toolCalls,
                          String toolCallId) {
    public ChatMessage {
        Require.text(role, "message.role");
        Require.present(content, "message.content");
        if (!role.equals("system") && !role.equals("user") && !role.equals("assistant") && !role.equals("tool")) {
            throw new InvalidPayloadException("message.role must be system, user, assistant or tool, was " + role);
        }
        if (toolCalls != null && !role.equals("assistant")) {
            throw new InvalidPayloadException("only an assistant turn can call tools, not " + role);
        }
        toolCalls = toolCalls == null || toolCalls.isEmpty() ? null : List.copyOf(toolCalls);
    }

    public ChatMessage(String role, String content, Boolean train) {
        this(role, content, train, null, null, null);
    }

    public boolean trained() {
        return train == null || train;
    }

    /** The fields of the turn besides role and content, named as chat templates read them. */
    public Map<String, Object> templateFields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (name != null) {
            fields.put("name", name);
        }
        if (toolCalls != null) {
            List<Object> calls = new ArrayList<>();
            toolCalls.forEach(c -> calls.add(c.asTemplateValue()));
            fields.put("tool_calls", calls);
        }
        if (toolCallId != null) {
            fields.put("tool_call_id", toolCallId);
        }
        return fields;
    }
}
