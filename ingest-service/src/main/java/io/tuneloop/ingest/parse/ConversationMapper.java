package io.tuneloop.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.InvalidPayloadException;
import io.tuneloop.events.payload.ToolCall;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Conversations as the tools users already have write them, normalised to {@link ChatMessage}s
 * that the model's chat template renders: OpenAI chat (tool_calls, tool results, legacy
 * function_call/functions, weight, multi-part content), LLaMA-Factory's ShareGPT (function_call and
 * observation turns, top-level tools as JSON text, its turn-order rule) and its newer messages with
 * content parts and loss_weight. What cannot be represented faithfully is refused by name.
 */
final class ConversationMapper {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ASSISTANT_TAGS = Set.of("gpt", "assistant", "bing", "chatgpt", "bard");

    private ConversationMapper() {
    }

    /** A conversation and the tools its assistant may call (null when none). */
    record Conversation(List<ChatMessage> messages, List<Object> tools) {
    }

    // ---- OpenAI chat and LLaMA-Factory's messages with parts --------------------------------------

    static Conversation openAi(JsonNode record) {
        return openAi(record, "messages", true);
    }

    /**
     * @param field     the field holding the turns
     * @param learnable whether the turns must hold an assistant turn to learn (a whole example), or
     *                  may be a prompt only
     */
    static Conversation openAi(JsonNode record, String field, boolean learnable) {
        JsonNode messages = record.get(field);
        if (!messages.isArray() || messages.isEmpty()) {
            throw new InvalidRecordException(field, "must be a non-empty array of {role, content}", "wrong-type");
        }
        List<ChatMessage> turns = new ArrayList<>();
        Map<String, String> openCalls = new LinkedHashMap<>(); // call id -> function name, until answered
        boolean callsHaveIds = false;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String turnField = field + "[" + i + "]";
            String role = text(m, "role", turnField);
            if (role == null) {
                throw new InvalidRecordException(turnField, "needs role and content", "missing-field");
            }
            List<ToolCall> calls = toolCalls(m, turnField);
            String content = content(m.get("content"), turnField, calls);
            Boolean train = trained(m, role, turnField);
            switch (role) {
                case "system", "user", "assistant" -> {
                    String name = text(m, "name", turnField);
                    for (ToolCall call : calls == null ? List.<ToolCall>of() : calls) {
                        if (call.id() != null) {
                            callsHaveIds = true;
                            openCalls.put(call.id(), call.name());
                        }
                    }
                    turns.add(turn(role, content, train, role.equals("user") || role.equals("system") ? name : null, calls,
                            null, turnField));
                }
                case "tool", "function" -> {
                    String callId = text(m, "tool_call_id", turnField);
                    String name = text(m, "name", turnField);
                    if (callId != null) {
                        if (!openCalls.containsKey(callId)) {
                            throw new InvalidRecordException(turnField + ".tool_call_id", "names " + callId
                                    + ", which no earlier assistant turn called (or which was already answered)",
                                    "unmatched-tool-call-id");
                        }
                        name = name != null ? name : openCalls.get(callId);
                        openCalls.remove(callId);
                    } else if (callsHaveIds && role.equals("tool")) {
                        throw new InvalidRecordException(turnField + ".tool_call_id", "is missing: a tool result must name the"
                                + " call it answers", "unmatched-tool-call-id");
                    }
                    turns.add(turn("tool", content, null, name, null, callId, turnField));
                }
                case "developer" -> throw new InvalidRecordException(turnField + ".role", "developer is not a role of chat"
                        + " fine-tuning data or of chat templates; use system", "unsupported-role");
                default -> throw new InvalidRecordException(turnField + ".role", "must be system, user, assistant or tool, was "
                        + role, "unsupported-role");
            }
        }
        return new Conversation(learnable ? checked(turns, field) : turns, tools(record));
    }

    /** OpenAI's {@code weight} (0 or 1, assistant turns only) or LLaMA-Factory's {@code loss_weight} (0.0 or 1.0). */
    private static Boolean trained(JsonNode m, String role, String field) {
        Boolean train = null;
        if (m.has("weight")) {
            JsonNode w = m.get("weight");
            if (!role.equals("assistant") || !w.isIntegralNumber() || (w.asInt() != 0 && w.asInt() != 1)) {
                throw new InvalidRecordException(field + ".weight", "must be 0 or 1, on an assistant turn only",
                        "invalid-weight");
            }
            train = w.asInt() == 1;
        }
        if (m.has("loss_weight")) {
            JsonNode w = m.get("loss_weight");
            double weight = w.asDouble(Double.NaN);
            if (!w.isNumber() || (weight != 0.0 && weight != 1.0)) {
                throw new InvalidRecordException(field + ".loss_weight", "is " + w + "; tuneloop trains a turn or not"
                        + " (0.0 or 1.0), fractional loss weights are not supported", "unsupported-loss-weight");
            }
            if (weight == 1.0 && !role.equals("assistant")) {
                throw new InvalidRecordException(field + ".loss_weight", "is 1.0 on a " + role + " turn; tuneloop learns"
                        + " assistant turns only", "unsupported-loss-weight");
            }
            train = role.equals("assistant") ? weight == 1.0 : null;
        }
        return train;
    }

    /** A string, null (only beside tool calls), or text parts ({type: text, text|value}) joined as OpenAI joins them. */
    private static String content(JsonNode content, String field, List<ToolCall> calls) {
        if (content == null || content.isNull()) {
            if (calls != null) {
                return "";
            }
            throw new InvalidRecordException(field, "needs role and content", "missing-field");
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw new InvalidRecordException(field + ".content", "must be text or a list of text parts, found "
                    + content.getNodeType().name().toLowerCase(java.util.Locale.ROOT), "wrong-type");
        }
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < content.size(); p++) {
            JsonNode part = content.get(p);
            String type = part.path("type").asText("");
            if (!type.equals("text")) {
                throw new InvalidRecordException(field + ".content[" + p + "]", "is a " + (type.isEmpty() ? "untyped" : type)
                        + " part; tuneloop trains on text parts only", "unsupported-content-part");
            }
            JsonNode value = part.has("text") ? part.get("text") : part.get("value");
            if (value == null || !value.isTextual()) {
                throw new InvalidRecordException(field + ".content[" + p + "]", "needs text (or value)", "missing-field");
            }
            text.append(value.asText());
        }
        return text.toString();
    }

    /** OpenAI's tool_calls (arguments as JSON text or an object) or its legacy function_call. */
    private static List<ToolCall> toolCalls(JsonNode m, String field) {
        List<ToolCall> calls = new ArrayList<>();
        JsonNode list = m.get("tool_calls");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new InvalidRecordException(field + ".tool_calls", "must be a list", "wrong-type");
            }
            for (int c = 0; c < list.size(); c++) {
                JsonNode call = list.get(c);
                String where = field + ".tool_calls[" + c + "]";
                if (call.has("type") && !call.get("type").asText().equals("function")) {
                    throw new InvalidRecordException(where + ".type", "must be function, was " + call.get("type").asText(),
                            "tool-call-missing-field");
                }
                JsonNode function = call.path("function");
                calls.add(call(call.hasNonNull("id") ? call.get("id").asText() : null, function, where + ".function"));
            }
        }
        JsonNode legacy = m.get("function_call");
        if (legacy != null && !legacy.isNull()) {
            calls.add(call(null, legacy, field + ".function_call"));
        }
        return calls.isEmpty() ? null : calls;
    }

    private static ToolCall call(String id, JsonNode function, String field) {
        if (!function.path("name").isTextual() || function.path("name").asText().isBlank() || !function.has("arguments")) {
            throw new InvalidRecordException(field, "needs name and arguments", "tool-call-missing-field");
        }
        return new ToolCall(id, function.get("name").asText(), arguments(function.get("arguments"), field + ".arguments"));
    }

    /**
     * A JSON object: as given, or parsed from OpenAI's JSON text. Chat templates expect an object
     * (HF's convention); text that is not a JSON object would be double-encoded by them, so it is refused.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> arguments(JsonNode arguments, String field) {
        JsonNode object = arguments;
        if (arguments.isTextual()) {
            try {
                object = JSON.readTree(arguments.asText());
            } catch (java.io.IOException e) {
                object = null;
            }
        }
        if (object == null || !object.isObject()) {
            throw new InvalidRecordException(field, "must be a JSON object (or its JSON text)", "tool-call-not-json");
        }
        return JSON.convertValue(object, LinkedHashMap.class);
    }

    /** Top-level tools (OpenAI's list, LLaMA-Factory's JSON text) or legacy functions, as {type: function, function: spec}. */
    static List<Object> tools(JsonNode record) {
        JsonNode tools = parsedJson(record.get("tools"), "tools");
        JsonNode functions = parsedJson(record.get("functions"), "functions");
        if (tools != null && functions != null) {
            throw new InvalidRecordException(null, "has both tools and functions; give one", "tools-and-functions");
        }
        JsonNode list = tools != null ? tools : functions;
        if (list == null) {
            return null;
        }
        if (!list.isArray()) {
            throw new InvalidRecordException(tools != null ? "tools" : "functions", "must be a list of tool specs",
                    "invalid-tool-spec");
        }
        List<Object> specs = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode spec = list.get(i);
            JsonNode function = spec.has("function") ? spec.get("function") : spec;
            if (spec.has("type") && !spec.get("type").asText().equals("function")) {
                throw new InvalidRecordException("tools[" + i + "].type", "must be function", "invalid-tool-spec");
            }
            if (!function.path("name").isTextual() || (function.has("parameters") && !function.get("parameters").isObject())) {
                throw new InvalidRecordException("tools[" + i + "]", "needs a name and an object of parameters",
                        "invalid-tool-spec");
            }
            Map<String, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("type", "function");
            wrapped.put("function", JSON.convertValue(function, LinkedHashMap.class));
            specs.add(wrapped);
        }
        return specs.isEmpty() ? null : specs;
    }

    private static JsonNode parsedJson(JsonNode value, String field) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            if (value.asText().isBlank()) {
                return null;
            }
            try {
                return JSON.readTree(value.asText());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new InvalidRecordException(field, "is not valid JSON: " + e.getOriginalMessage(), "tools-not-json");
            }
        }
        return value;
    }

    // ---- ShareGPT (LLaMA-Factory) ----------------------------------------------------------------

    /**
     * ShareGPT turns: human/user, gpt (and other assistant tags), function_call (an assistant turn that
     * calls tools: its value is the JSON of one call or of a list of calls), observation (the tool's
     * result), system first. LLaMA-Factory's rule applies: after the system turn, human or observation
     * turns and gpt or function_call turns alternate, starting with the former.
     */
    static Conversation shareGpt(JsonNode record) {
        return shareGpt(record, true);
    }

    /** @param learnable whether the turns must hold a gpt turn to learn (a whole example), or may be a prompt only */
    static Conversation shareGpt(JsonNode record, boolean learnable) {
        JsonNode conversations = record.get("conversations");
        if (!conversations.isArray() || conversations.isEmpty()) {
            throw new InvalidRecordException("conversations", "must be a non-empty array of {from, value}", "wrong-type");
        }
        List<ChatMessage> turns = new ArrayList<>();
        String system = RecordMapper.text(record, "system");
        if (system != null && !system.isBlank()) {
            turns.add(new ChatMessage("system", system, null));
        }
        List<ToolCall> lastCalls = null;
        int position = 0;
        for (int i = 0; i < conversations.size(); i++) {
            JsonNode turn = conversations.get(i);
            String field = "conversations[" + i + "]";
            String from = text(turn, "from", field);
            String value = text(turn, "value", field);
            if (from == null || value == null) {
                throw new InvalidRecordException(field, "needs from and value", "missing-field");
            }
            if (from.equals("system")) {
                if (i != 0) {
                    throw new InvalidRecordException(field + ".from", "system is only allowed as the first turn",
                            "invalid-turn-order");
                }
                turns.add(new ChatMessage("system", value, null));
                continue;
            }
            boolean asking = from.equals("human") || from.equals("user") || from.equals("observation");
            boolean answering = ASSISTANT_TAGS.contains(from) || from.equals("function_call");
            if (!asking && !answering) {
                throw new InvalidRecordException(field + ".from", "must be human, gpt, function_call, observation or system,"
                        + " was " + from, "unsupported-role");
            }
            if (asking != (position % 2 == 0)) {
                throw new InvalidRecordException(field + ".from", from + " cannot follow "
                        + conversations.get(i - 1).path("from").asText() + ": human/observation and gpt/function_call turns"
                        + " must alternate, starting with human", "invalid-turn-order");
            }
            position++;
            switch (from) {
                case "function_call" -> {
                    lastCalls = shareGptCalls(value, field + ".value");
                    turns.add(turn("assistant", "", null, null, lastCalls, null, field));
                }
                case "observation" -> {
                    String name = lastCalls != null && lastCalls.size() == 1 ? lastCalls.get(0).name() : null;
                    turns.add(turn("tool", value, null, name, null, null, field));
                    lastCalls = null;
                }
                default -> turns.add(turn(asking ? "user" : "assistant", value, null, null, null, null, field));
            }
        }
        return new Conversation(learnable ? checked(turns, "conversations") : turns, tools(record));
    }

    private static List<ToolCall> shareGptCalls(String value, String field) {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new InvalidRecordException(field, "must be the JSON of a call {name, arguments} or of a list of calls",
                    "tool-call-not-json");
        }
        List<ToolCall> calls = new ArrayList<>();
        if (parsed != null && parsed.isArray()) {
            for (int c = 0; c < parsed.size(); c++) {
                calls.add(call(null, parsed.get(c), field + "[" + c + "]"));
            }
        } else if (parsed != null && parsed.isObject()) {
            calls.add(call(null, parsed, field));
        } else {
            throw new InvalidRecordException(field, "must be the JSON of a call {name, arguments} or of a list of calls",
                    "tool-call-not-json");
        }
        return calls;
    }

    // ---- shared ------------------------------------------------------------------------------------

    private static ChatMessage turn(String role, String content, Boolean train, String name, List<ToolCall> calls,
                                    String callId, String field) {
        try {
            return new ChatMessage(role, content, train, name, calls, callId);
        } catch (InvalidPayloadException e) {
            throw new InvalidRecordException(field, e.getMessage(), "wrong-type");
        }
    }

    /** At least one trained assistant turn with text or tool calls: something to learn. */
    private static List<ChatMessage> checked(List<ChatMessage> turns, String field) {
        if (turns.stream().noneMatch(t -> t.role().equals("assistant") && t.trained()
                && (!t.content().isBlank() || t.toolCalls() != null))) {
            throw new InvalidRecordException(field, "has no assistant turn to learn from", "no-assistant-turn");
        }
        return turns;
    }

    private static String text(JsonNode node, String key, String field) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new InvalidRecordException(field + "." + key, "must be text, found "
                    + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT), "wrong-type");
        }
        return value.asText();
    }
}
