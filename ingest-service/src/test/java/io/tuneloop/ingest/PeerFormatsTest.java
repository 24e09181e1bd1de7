package io.tuneloop.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.ingest.parse.InvalidRecordException;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.RecordIds;
import io.tuneloop.ingest.parse.RecordMapper;
import io.tuneloop.ingest.parse.Rejection;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Conversations as LLaMA-Factory, OpenAI and TRL users have them: tool calls, tool results and tool
 * specs are kept as turns for the model's chat template; multi-part content and loss weights are
 * read; what cannot be represented is refused with a reason code of its own, never "other".
 */
class PeerFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ParsedRecord one(String json) throws Exception {
        List<ParsedRecord> records = RecordMapper.map(JSON.readTree(json), 1);
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    private static void refused(String json, String kind) throws Exception {
        var node = JSON.readTree(json);
        assertThatThrownBy(() -> RecordMapper.map(node, 1)).isInstanceOf(InvalidRecordException.class)
                .satisfies(e -> assertThat(Rejection.of(1, (InvalidRecordException) e, json).kind()).as(json).isEqualTo(kind));
    }

    @Test
    void llamaFactoryShareGptToolUseKeepsCallsResultsAndTools() throws Exception {
        ParsedRecord r = one("""
                {"conversations": [{"from": "human", "value": "Weather in Paris?"},
                  {"from": "function_call", "value": "{\\"name\\": \\"get_weather\\", \\"arguments\\": {\\"city\\": \\"Paris\\"}}"},
                  {"from": "observation", "value": "{\\"temp\\": 22}"}, {"from": "gpt", "value": "22°C."}],
                 "tools": "[{\\"name\\": \\"get_weather\\", \\"description\\": \\"d\\", \\"parameters\\": {\\"type\\": \\"object\\", \\"properties\\": {\\"city\\": {\\"type\\": \\"string\\"}}}}]"}""");
        assertThat(r.messages()).extracting(ChatMessage::role).containsExactly("user", "assistant", "tool", "assistant");
        ChatMessage call = r.messages().get(1);
        assertThat(call.content()).isEmpty();
        assertThat(call.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("get_weather");
            assertThat(c.arguments()).isEqualTo(Map.of("city", "Paris"));
        });
        assertThat(r.messages().get(2).name()).isEqualTo("get_weather");
        assertThat(r.tools()).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> tool = (Map<String, Object>) r.tools().get(0);
        assertThat(tool).containsEntry("type", "function").containsKey("function");
    }

    @Test
    void parallelCallsAndTurnOrderFollowLlamaFactory() throws Exception {
        ParsedRecord r = one("""
                {"conversations": [{"from": "human", "value": "a and b?"},
                  {"from": "function_call", "value": "[{\\"name\\": \\"a\\", \\"arguments\\": {}}, {\\"name\\": \\"b\\", \\"arguments\\": {\\"x\\": 1}}]"},
                  {"from": "observation", "value": "both done"}, {"from": "gpt", "value": "Done."}]}""");
        assertThat(r.messages().get(1).toolCalls()).hasSize(2);
        assertThat(r.messages().get(2).name()).as("no single call to name the result after").isNull();
        refused("""
                {"conversations": [{"from": "human", "value": "hi"}, {"from": "human", "value": "?"}, {"from": "gpt", "value": "yo"}]}""",
                "invalid-turn-order");
        refused("""
                {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}, {"from": "system", "value": "late"}]}""",
                "invalid-turn-order");
        refused("""
                {"conversations": [{"from": "human", "value": "x"}, {"from": "function_call", "value": "{bad"}]}""",
                "tool-call-not-json");
        refused("""
                {"conversations": [{"from": "human", "value": "x"}, {"from": "gpt", "value": "y"}], "tools": "[{oops"}""",
                "tools-not-json");
    }

    @Test
    void openAiToolCallsParseTheirArgumentsAndMatchResultsToCalls() throws Exception {
        ParsedRecord r = one("""
                {"messages": [{"role": "user", "content": "Weather?"},
                  {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "22"},
                  {"role": "assistant", "content": "22°C", "weight": 1}],
                 "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}}],
                 "parallel_tool_calls": false}""");
        assertThat(r.messages().get(1).toolCalls().get(0).arguments()).isEqualTo(Map.of("city", "Paris"));
        assertThat(r.messages().get(1).toolCalls().get(0).id()).isEqualTo("call_1");
        assertThat(r.messages().get(2).toolCallId()).isEqualTo("call_1");
        assertThat(r.messages().get(2).name()).isEqualTo("get_weather");
        assertThat(r.attributes()).containsEntry("parallel_tool_calls", "false");
        // OpenAI's own example ends on an assistant turn that only calls a tool: that is something to learn
        assertThat(one("""
                {"messages": [{"role": "user", "content": "Weather?"}, {"role": "assistant", "tool_calls": [{"id": "c",
                  "type": "function", "function": {"name": "w", "arguments": "{}"}}]}]}""").messages()).hasSize(2);
        // the legacy function_call / function / functions
        ParsedRecord legacy = one("""
                {"messages": [{"role": "user", "content": "go"}, {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
                  {"role": "function", "name": "f", "content": "ok"}, {"role": "assistant", "content": "Done."}],
                 "functions": [{"name": "f", "parameters": {"type": "object"}}]}""");
        assertThat(legacy.messages().get(2).role()).isEqualTo("tool");
        assertThat(legacy.tools()).hasSize(1);
    }

    @Test
    void multiPartContentAndLossWeightsAreRead() throws Exception {
        ParsedRecord openAi = one("""
                {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}]},
                  {"role": "assistant", "content": "Hi!", "weight": 0}, {"role": "user", "content": "Again"},
                  {"role": "assistant", "content": [{"type": "text", "text": "Hi again!"}]}]}""");
        assertThat(openAi.messages().get(0).content()).isEqualTo("Hello there");
        assertThat(openAi.messages().get(1).trained()).isFalse();
        assertThat(openAi.messages().get(3).content()).isEqualTo("Hi again!");
        ParsedRecord llamaFactory = one("""
                {"messages": [{"role": "user", "content": [{"type": "text", "value": "hi"}], "loss_weight": 0.0},
                  {"role": "assistant", "content": [{"type": "text", "value": "a"}], "loss_weight": 0.0},
                  {"role": "user", "content": [{"type": "text", "value": "more"}], "loss_weight": 0.0},
                  {"role": "assistant", "content": [{"type": "text", "value": "b"}], "loss_weight": 1.0}]}""");
        assertThat(llamaFactory.messages()).extracting(ChatMessage::trained).containsExactly(true, false, true, true);
        assertThat(llamaFactory.messages().get(1).train()).isFalse();
    }

    @Test
    void whatCannotBeRepresentedIsRefusedWithItsOwnReason() throws Exception {
        refused("""
                {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "weight": 2}]}""",
                "invalid-weight");
        refused("""
                {"messages": [{"role": "user", "content": "x", "weight": 1}, {"role": "assistant", "content": "y"}]}""",
                "invalid-weight");
        refused("""
                {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]},
                  {"role": "assistant", "content": "a cat"}]}""", "unsupported-content-part");
        refused("""
                {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [{"id": "a", "type": "function",
                  "function": {"name": "f", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "nope", "content": "r"}]}""",
                "unmatched-tool-call-id");
        refused("""
                {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [{"id": "a", "type": "function",
                  "function": {"name": "f", "arguments": "{bad"}}]}]}""", "tool-call-not-json");
        refused("""
                {"messages": [{"role": "developer", "content": "x"}, {"role": "assistant", "content": "y"}]}""", "unsupported-role");
        refused("""
                {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "loss_weight": 0.5}]}""",
                "unsupported-loss-weight");
        refused("""
                {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}],
                 "tools": [], "functions": []}""", "tools-and-functions");
        refused("""
                {"messages": [{"role": "user", "content": "only a question"}]}""", "no-assistant-turn");
    }

    @Test
    void toolCallsAndToolsArePartOfARecordsIdentity() throws Exception {
        String a = """
                {"messages": [{"role": "user", "content": "w?"}, {"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
                  "function": {"name": "w", "arguments": {"city": "Paris"}}}]}]}""";
        String b = a.replace("Paris", "Oslo");
        assertThat(RecordIds.of(one(a))).isNotEqualTo(RecordIds.of(one(b)));
    }
}
