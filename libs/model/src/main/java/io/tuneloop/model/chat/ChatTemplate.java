package io.tuneloop.model.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.FatalTemplateErrorsException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders conversations to the exact text a model was trained on. The model's own Jinja
 * {@code chat_template} (from tokenizer_config.json) is rendered with Jinjava, with Hugging Face's
 * {@code raise_exception}; Alpaca and ChatML are built in for models without one.
 */
public final class ChatTemplate {
    private static final String ALPACA = "{% for message in messages %}"
            + "{% if message['role'] == 'system' %}{{ message['content'] + '\\n\\n' }}"
            + "{% elif message['role'] == 'user' %}{{ '### Instruction:\\n' + message['content'] + '\\n\\n### Response:\\n' }}"
            + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token + '\\n\\n' }}"
            + "{% endif %}{% endfor %}";
    private static final String CHATML = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private final String name;
    private final String source;
    private final Map<String, String> specialTokens;
    private final Jinjava jinja;

    private ChatTemplate(String name, String source, Map<String, String> specialTokens) {
        this.name = name;
        this.source = source;
        this.specialTokens = Map.copyOf(specialTokens);
        this.jinja = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
        jinja.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
    }

    /** A model's own template; {@code specialTokens} maps bos_token, eos_token, ... to their text. */
    public static ChatTemplate jinja(String template, Map<String, String> specialTokens) {
        return new ChatTemplate("model", template, specialTokens);
    }

    /** The model's own template from its tokenizer config, with its special tokens; empty when it has none. */
    public static java.util.Optional<ChatTemplate> ofModel(io.tuneloop.model.tokenizer.TextTokenizer tokenizer) {
        if (tokenizer.chatTemplate().isEmpty()) {
            return java.util.Optional.empty();
        }
        Map<String, String> special = new HashMap<>();
        for (String role : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
            tokenizer.token(role).ifPresent(t -> special.put(role, t));
        }
        return java.util.Optional.of(jinja(tokenizer.chatTemplate().get(), special));
    }

    /** Alpaca's "### Instruction / ### Response" layout; the response ends with eos. */
    public static ChatTemplate alpaca(String eosToken) {
        return new ChatTemplate("alpaca", ALPACA, Map.of("eos_token", eosToken));
    }

    /** ChatML ({@code <|im_start|>role ... <|im_end|>}). */
    public static ChatTemplate chatml() {
        return new ChatTemplate("chatml", CHATML, Map.of());
    }

    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    /** Called by templates as {@code raise_exception('...')}. */
    public static String raiseException(String message) {
        throw new ChatTemplateException(message);
    }

    public String render(List<Message> messages, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>(specialTokens);
        List<Map<String, String>> turns = new ArrayList<>();
        for (Message m : messages) {
            turns.add(Map.of("role", m.role(), "content", m.content()));
        }
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.putIfAbsent("bos_token", "");
        context.putIfAbsent("eos_token", "");
        RenderResult result;
        try {
            result = jinja.renderForResult(source, context);
        } catch (FatalTemplateErrorsException e) {
            throw translate(e.getErrors().iterator().hasNext() ? e.getErrors().iterator().next() : null, e);
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw translate(error, null);
            }
        }
        return result.getOutput();
    }

    /**
     * Renders a conversation for training as segments: each assistant turn is what rendering it adds
     * after the prompt that leads to it (with the generation prompt), so the loss mask lands exactly
     * on the assistant's tokens whatever the template's markup. Fails when the template does not
     * render conversations incrementally (its prefix changes when a turn is added).
     */
    public List<Segment> renderForTraining(List<Message> messages) {
        List<Segment> segments = new ArrayList<>();
        String done = "";
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).role().equals("assistant")) {
                continue;
            }
            String prompt = render(messages.subList(0, i), true);
            String withAnswer = render(messages.subList(0, i + 1), false);
            if (!prompt.startsWith(done) || !withAnswer.startsWith(prompt)) {
                throw new ChatTemplateException("chat template '" + name + "' does not render turn " + i
                        + " as an extension of the turns before it; cannot place the loss mask");
            }
            if (prompt.length() > done.length()) {
                segments.add(new Segment(prompt.substring(done.length()), false));
            }
            segments.add(new Segment(withAnswer.substring(prompt.length()), true));
            done = withAnswer;
        }
        if (segments.stream().noneMatch(Segment::trained)) {
            throw new ChatTemplateException("the conversation has no assistant turn to learn from");
        }
        return segments;
    }

    private ChatTemplateException translate(TemplateError error, Exception cause) {
        Throwable root = error == null ? cause : error.getException();
        for (Throwable t = root; t != null; t = t.getCause()) {
            if (t instanceof ChatTemplateException raised) {
                return new ChatTemplateException("chat template '" + name + "' refused the conversation: "
                        + raised.getMessage(), raised);
            }
        }
        String message = error == null ? String.valueOf(cause) : error.getMessage() + " (line " + error.getLineno() + ")";
        return new ChatTemplateException("chat template '" + name + "' failed: " + message, cause);
    }
}
