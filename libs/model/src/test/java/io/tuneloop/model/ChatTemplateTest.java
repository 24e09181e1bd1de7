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
        assertThat(segments.get(1)).isEqualTo(new Segment("3<|im_end|>\n\n", true));
    }

    @Test
    void aConversationWithoutAnAssistantTurnCannotBeTrained() {
        assertThatThrownBy(() -> ChatTemplate.chatml().renderForTraining(List.of(Message.user("Hi"))))
                .hasMessageContaining("no assistant turn");
    }
}
