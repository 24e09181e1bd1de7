package io.tuneloop.formatter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.ToolCall;
import io.tuneloop.formatter.dataset.ExampleEncoder;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.tokenizer.TinyTokenizerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tool-use conversations are rendered through the model's own template with their tool specs and
 * calls, and trained on the assistant's calls and answers; a format that cannot express tools, or a
 * template that ignores them, drops the example with a reason instead of training on a conversation
 * with its tool calls silently removed.
 */
class ToolUseEncodingTest {
    /** A ChatML template with Qwen2.5's tool markup (tools as JSON lines, calls in <tool_call>). */
    static final String TOOL_TEMPLATE = "{%- if tools %}{{- '<|im_start|>system\\n<tools>' }}{%- for t in tools %}"
            + "{{- '\\n' + (t | tojson) }}{%- endfor %}{{- '\\n</tools><|im_end|>\\n' }}{%- endif %}"
            + "{%- for m in messages %}{%- if m.role == 'assistant' and m.tool_calls %}{{- '<|im_start|>assistant' }}"
            + "{%- for c in m.tool_calls %}{{- '\\n<tool_call>\\n{\"name\": \"' + c.function.name + '\", \"arguments\": '"
            + " + (c.function.arguments | tojson) + '}\\n</tool_call>' }}{%- endfor %}{{- '<|im_end|>\\n' }}"
            + "{%- elif m.role == 'tool' %}{{- '<|im_start|>user\\n<tool_response>\\n' + m.content + '\\n</tool_response><|im_end|>\\n' }}"
            + "{%- else %}{{- '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{%- endif %}{%- endfor %}"
            + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    @TempDir
    Path dir;

    private static DatasetSpec spec(String chatFormat) {
        return new DatasetSpec(null, null, null, null, null, null, null, null, chatFormat, null, "m", null, null, null);
    }

    private static InstructionRecord conversation() {
        List<ChatMessage> messages = List.of(new ChatMessage("user", "Weather in Paris?", null),
                new ChatMessage("assistant", "", null, null, List.of(new ToolCall("call_1", "get_weather", Map.of("city", "Paris"))),
                        null),
                new ChatMessage("tool", "{\"temp\": 22}", null, "get_weather", null, "call_1"),
                new ChatMessage("assistant", "It is 22 degrees.", null));
        Map<String, Object> function = new java.util.LinkedHashMap<>();
        function.put("name", "get_weather");
        function.put("parameters", Map.of("type", "object"));
        Map<String, Object> tool = new java.util.LinkedHashMap<>();
        tool.put("type", "function");
        tool.put("function", function);
        List<Object> tools = List.of(tool);
        return new InstructionRecord("r:conversation", "r", "t", null, "conversation", "en", "train", null, null, messages,
                null, null, null, "f.jsonl", 1, tools);
    }

    private TextTokenizer tokenizer(String template) throws Exception {
        Path model = dir.resolve(String.valueOf(template.hashCode()));
        TinyTokenizerFactory.write(model, List.of("Weather in Paris? It is 22 degrees. get_weather city"), 100, 512);
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(model.resolve("tokenizer_config.json").toFile());
        config.put("chat_template", template);
        json.writeValue(model.resolve("tokenizer_config.json").toFile(), config);
        return TextTokenizer.load(model);
    }

    @Test
    void theModelsTemplateRendersToolsAndCallsAndTheyAreLearned() throws Exception {
        try (TextTokenizer tokenizer = tokenizer(TOOL_TEMPLATE)) {
            ExampleEncoder.Encoded encoded = new ExampleEncoder(spec("model"), tokenizer).encode(conversation());
            assertThat(encoded.droppedBecause()).as(encoded.detail()).isNull();
            InstructionRecord record = encoded.record().orElseThrow();
            assertThat(record.text()).contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"")
                    .contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>")
                    .contains("<tool_response>\n{\"temp\": 22}\n</tool_response>");
            StringBuilder learned = new StringBuilder();
            for (int[] span : record.lossSpans()) {
                long[] ids = new long[span[1] - span[0]];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = record.tokens()[span[0] + i];
                }
                learned.append(tokenizer.decode(ids)).append('|');
            }
            assertThat(learned.toString()).contains("<tool_call>").contains("It is 22 degrees.").doesNotContain("Weather in Paris")
                    .doesNotContain("tool_response");
        }
    }

    @Test
    void formatsOrTemplatesThatCannotExpressToolsDropTheExampleWithTheReason() throws Exception {
        try (TextTokenizer tokenizer = tokenizer("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}")) {
            ExampleEncoder.Encoded ignoring = new ExampleEncoder(spec("model"), tokenizer).encode(conversation());
            assertThat(ignoring.droppedBecause()).isEqualTo(ExampleEncoder.DROPPED_TOOLS_UNSUPPORTED);
            assertThat(ignoring.detail()).contains("does not render");
            ExampleEncoder.Encoded chatml = new ExampleEncoder(spec("chatml"), tokenizer).encode(conversation());
            assertThat(chatml.droppedBecause()).isEqualTo(ExampleEncoder.DROPPED_TOOLS_UNSUPPORTED);
        }
    }
}
