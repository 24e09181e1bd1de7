package io.tuneloop.model;

import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.ChatTemplateException;
import io.tuneloop.model.chat.Message;
import io.tuneloop.model.chat.Segment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatTemplateTest {
    /** Zephyr's template, as its tokenizer_config.json ships it. */
    private static final String ZEPHYR = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n"
            + "{{ '<|user|>\\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n"
            + "{{ '<|system|>\\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n"
            + "{{ '<|assistant|>\\n'  + message['content'] + eos_token }}\n{% endif %}\n"
            + "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

    /** Llama-2-chat's strict alternation check. */
    private static final String ALTERNATING = "{% for message in messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
            + "{% endif %}"
            + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}"
            + "{% else %}{{ ' ' + message['content'] + ' ' + eos_token }}{% endif %}{% endfor %}";

    private static final List<Message> CHAT = List.of(Message.system("Be brief."), Message.user("Hi"),
            Message.assistant("Hello!"), Message.user("Bye"), Message.assistant("Goodbye."));

    @Test
    void chatmlRendersTurnsAndTheGenerationPrompt() {
        String text = ChatTemplate.chatml().render(List.of(Message.user("Hi")), true);
        assertThat(text).isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void aModelsOwnTemplateRendersWithItsSpecialTokensAndLoopVariables() {
        String text = ChatTemplate.jinja(ZEPHYR, Map.of("eos_token", "</s>"))
                .render(List.of(Message.system("S"), Message.user("Hi")), true);
        assertThat(text).isEqualTo("<|system|>\nS</s>\n<|user|>\nHi</s>\n<|assistant|>\n");
    }

    @Test
    void raiseExceptionInATemplateIsAClearError() {
        ChatTemplate llama2 = ChatTemplate.jinja(ALTERNATING, Map.of("bos_token", "<s>", "eos_token", "</s>"));
        assertThat(llama2.render(List.of(Message.user("Hi"), Message.assistant("Yo")), false))
                .isEqualTo("<s>[INST] Hi [/INST] Yo </s>");
        assertThatThrownBy(() -> llama2.render(List.of(Message.assistant("first")), false))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("Conversation roles must alternate");
    }

    @Test
    void trainingSegmentsMarkExactlyTheAssistantTurns() {
        List<Segment> segments = ChatTemplate.chatml().renderForTraining(CHAT);
        assertThat(segments).extracting(Segment::trained).containsExactly(false, true, false, true);
        assertThat(segments.get(1).text()).isEqualTo("Hello!<|im_end|>\n");
        assertThat(segments.get(3).text()).isEqualTo("Goodbye.<|im_end|>\n");
        assertThat(String.join("", segments.stream().map(Segment::text).toList()))
                .isEqualTo(ChatTemplate.chatml().render(CHAT, false));
    }

    @Test
    void alpacaEndsTheResponseWithEos() {
        List<Segment> segments = ChatTemplate.alpaca("<|im_end|>").renderForTraining(
                List.of(Message.user("Add 1 and 2."), Message.assistant("3")));
        assertThat(segments.get(0).text()).isEqualTo("### Instruction:\nAdd 1 and 2.\n\n### Response:\n");
        assertThat(segments.get(1)).isEqualTo(new Segment("3<|im_end|>\n\n", true, 1));
    }

    @Test
    void aConversationWithoutAnAssistantTurnCannotBeTrained() {
        assertThatThrownBy(() -> ChatTemplate.chatml().renderForTraining(List.of(Message.user("Hi"))))
                .hasMessageContaining("no assistant turn");
    }

    @org.junit.jupiter.api.Test
    void messageContentsAreDataInTheModelsTemplateAndInTheBuiltIns() {
        ChatTemplate model = ChatTemplate.jinja(ZEPHYR, Map.of("eos_token", "</s>"));
        for (var hostile : io.tuneloop.oracles.HostileText.corpus().entrySet()) {
            List<Message> chat = List.of(Message.system(hostile.getValue()), Message.user(hostile.getValue()),
                    Message.assistant(hostile.getValue()));
            for (ChatTemplate template : List.of(model, ChatTemplate.chatml(), ChatTemplate.alpaca("</s>"))) {
                String text = template.render(chat, false);
                assertThat(text.split(java.util.regex.Pattern.quote(hostile.getValue()), -1).length - 1)
                        .as(hostile.getKey() + " in " + template.name()).isEqualTo(3);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void namedTemplatesAndChatTemplateJinjaAreReadAsHuggingFaceReadsThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        io.tuneloop.model.tokenizer.TinyTokenizerFactory.write(dir, List.of("hello world"), 10, 64);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(dir.resolve("tokenizer_config.json").toFile());
        var list = config.putArray("chat_template");
        list.addObject().put("name", "default").put("template", "D{% for m in messages %}{{ m.content }}{% endfor %}");
        list.addObject().put("name", "tool_use").put("template", "T{{ tools | length }}{% for m in messages %}{{ m.content }}{% endfor %}");
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        try (var tokenizer = io.tuneloop.model.tokenizer.TextTokenizer.load(dir)) {
            ChatTemplate template = ChatTemplate.ofModel(tokenizer).orElseThrow();
            assertThat(template.render(List.of(Message.user("hi")), false)).isEqualTo("Dhi");
            assertThat(template.render(List.of(Message.user("hi")), List.of(Map.of("type", "function")), false))
                    .as("with tools HF picks tool_use").isEqualTo("T1hi");
        }
        java.nio.file.Files.writeString(dir.resolve("chat_template.jinja"), "J{{ messages[0].content }}{{ bos_token }}\n");
        try (var tokenizer = io.tuneloop.model.tokenizer.TextTokenizer.load(dir)) {
            assertThat(ChatTemplate.ofModel(tokenizer).orElseThrow().render(List.of(Message.user("x")), false))
                    .as("chat_template.jinja wins; one trailing newline is dropped as jinja2 drops it").isEqualTo("Jx<|endoftext|>");
        }
    }

    @org.junit.jupiter.api.Test
    void specialTokensTheTokenizerDoesNotSetAreUndefinedNotEmpty() {
        String template = "{{ bos_token is defined }} {{ pad_token is defined }} {{ tools is none }} {{ documents is none }}";
        assertThat(ChatTemplate.jinja(template, Map.of("bos_token", "<s>")).render(List.of(Message.user("x")), false))
                .isEqualTo("True False True True");
    }

    @org.junit.jupiter.api.Test
    void toolCallsAndToolResultsReachTheTemplateAsFields() {
        String template = "{% for m in messages %}{{ m.role }}:{{ m.content }}{% if m.tool_calls %}"
                + "{% for c in m.tool_calls %}[{{ c.function.name }}{{ c.function.arguments | tojson }}]{% endfor %}{% endif %}"
                + "{% if m.tool_call_id %}({{ m.tool_call_id }}){% endif %};{% endfor %}";
        List<Message> chat = List.of(Message.user("weather?"),
                new Message("assistant", "", Map.of("tool_calls", List.of(Map.of("id", "call_1", "type", "function",
                        "function", Map.of("name", "get_weather", "arguments", Map.of("city", "Paris")))))),
                new Message("tool", "22C", Map.of("tool_call_id", "call_1")), Message.assistant("22 degrees"));
        assertThat(ChatTemplate.jinja(template, Map.of()).render(chat, false)).isEqualTo(
                "user:weather?;assistant:[get_weather{\"city\": \"Paris\"}];tool:22C(call_1);assistant:22 degrees;");
    }

    @org.junit.jupiter.api.Test
    void aTemplateThatReRendersHistoryLearnsTheLastTurnWithTheRestAsContext() throws Exception {
        String qwen3;
        try (var in = ChatTemplateTest.class.getResourceAsStream("/chat-templates/qwen3.jinja")) {
            qwen3 = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        ChatTemplate template = ChatTemplate.jinja(qwen3, Map.of("eos_token", "<|im_end|>"));
        List<Message> chat = List.of(Message.user("Hi"), Message.assistant("Hello!"), Message.user("Bye"),
                Message.assistant("Goodbye."));
        List<Segment> segments = template.renderForTraining(chat);
        // Qwen3 renders an answer after the last question with an empty <think> block, earlier ones without
        assertThat(segments).filteredOn(Segment::trained).singleElement().satisfies(s -> {
            assertThat(s.message()).isEqualTo(3);
            assertThat(s.text()).contains("Goodbye.");
        });
        assertThat(String.join("", segments.stream().map(Segment::text).toList())).isEqualTo(template.render(chat, false));
    }
}
