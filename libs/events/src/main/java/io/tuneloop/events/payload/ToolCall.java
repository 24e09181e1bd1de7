package io.tuneloop.events.payload;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A function call an assistant turn makes, in the shape chat templates expect
 * ({@code {"id", "type": "function", "function": {"name", "arguments"}}}).
 *
 * @param id        the call's id, when the source has one (OpenAI's {@code call_...}); tool results refer to it
 * @param name      the function called
 * @param arguments the arguments: a JSON object (as a Map), or the source's text when it was not valid JSON
 */
public record ToolCall(String id, String name, Object arguments) {
    public ToolCall {
        Require.text(name, "tool_call.function.name");
        Require.present(arguments, "tool_call.function.arguments");
        if (!(arguments instanceof Map) && !(arguments instanceof String)) {
            throw new InvalidPayloadException("tool_call.function.arguments must be an object or a string");
        }
    }

    /** The call as a chat template reads it. */
    public Map<String, Object> asTemplateValue() {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", name);
        function.put("arguments", arguments);
        Map<String, Object> call = new LinkedHashMap<>();
        if (id != null) {
            call.put("id", id);
        }
        call.put("type", "function");
        call.put("function", function);
        return call;
    }
}
