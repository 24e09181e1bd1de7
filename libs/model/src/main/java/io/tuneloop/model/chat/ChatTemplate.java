package io.tuneloop.model.chat;

import io.tuneloop.jinja.Environment;
import io.tuneloop.jinja.Json;
import io.tuneloop.jinja.Template;
import io.tuneloop.jinja.TemplateException;
import io.tuneloop.model.tokenizer.TextTokenizer;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders conversations to exactly the text Hugging Face's {@code apply_chat_template} produces:
 * the model's own Jinja {@code chat_template} in HF's environment (jinja2 semantics with
 * trim_blocks, lstrip_blocks and loop controls in the immutable sandbox; HF's {@code tojson},
 * {@code raise_exception} and {@code strftime_now}; {@code tools=None} and {@code documents=None}
 * when absent; every special token of the tokenizer). Message contents are values: nothing in them
 * is ever rendered as template code. Alpaca and ChatML are built in for models without a template.
 */
public final class ChatTemplate {
    /** The name HF gives the template used when a model has several and tools are passed. */
    public static final String TOOL_USE = "tool_use";
    public static final String DEFAULT = "default";

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
    private final Map<String, String> sources;
    private final Map<String, Template> compiled;
    private final Map<String, Object> specialTokens;

    private ChatTemplate(String name, Map<String, String> sources, Map<String, Object> specialTokens, Clock clock) {
        this.name = name;
        this.sources = Map.copyOf(sources);
        this.specialTokens = Map.copyOf(specialTokens);
        Environment env = huggingFaceEnvironment(clock);
        Map<String, Template> templates = new HashMap<>();
        sources.forEach((key, source) -> {
            try {
                templates.put(key, env.compile(source));
            } catch (TemplateException e) {
                throw translate(name, e);
            }
        });
        this.compiled = Map.copyOf(templates);
    }

    /**
     * HF's environment: {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
     * extensions=[AssistantTracker, loopcontrols])} with its tojson, raise_exception and strftime_now.
     */
    static Environment huggingFaceEnvironment(Clock clock) {
        return Environment.builder()
                .trimBlocks(true)
                .lstripBlocks(true)
                .loopControls(true)
                .generationTag(true)
                .filter("tojson", (value, args, kwargs) -> {
                    Object[] p = bind(args, kwargs, "ensure_ascii", "indent", "separators", "sort_keys");
                    return Json.dumps(value, p[0] != null && truthy(p[0]), p[1], p[2], p[3] != null && truthy(p[3]));
                })
                .function("raise_exception", (args, kwargs) -> {
                    throw new TemplateException(TemplateException.Kind.RAISED, args.isEmpty() ? "" : String.valueOf(args.get(0)));
                })
                .function("strftime_now", (args, kwargs) -> {
                    if (args.size() != 1 || !(args.get(0) instanceof String format)) {
                        throw new TemplateException(TemplateException.Kind.TYPE, "strftime_now takes one format string");
                    }
                    return Strftime.format(ZonedDateTime.now(clock), format);
                })
                .build();
    }

    /** A model's own template; {@code specialTokens} maps bos_token, eos_token, ... to their text. */
    public static ChatTemplate jinja(String template, Map<String, ?> specialTokens) {
        return jinja(template, specialTokens, Clock.systemDefaultZone());
    }

    /** As {@link #jinja(String, Map)}, with {@code strftime_now} reading {@code clock}. */
    public static ChatTemplate jinja(String template, Map<String, ?> specialTokens, Clock clock) {
        return new ChatTemplate("model", Map.of(DEFAULT, template), new HashMap<>(specialTokens), clock);
    }

    /** The model's own templates (named, as tokenizer_config.json or chat_template.jinja hold them), or empty. */
    public static Optional<ChatTemplate> ofModel(TextTokenizer tokenizer) {
        return ofModel(tokenizer, Clock.systemDefaultZone());
    }

    /** As {@link #ofModel(TextTokenizer)}, with {@code strftime_now} reading {@code clock}. */
    public static Optional<ChatTemplate> ofModel(TextTokenizer tokenizer, Clock clock) {
        if (tokenizer.chatTemplates().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ChatTemplate("model", tokenizer.chatTemplates(), tokenizer.specialTokensMap(), clock));
    }

    /** Alpaca's "### Instruction / ### Response" layout; the response ends with eos. */
    public static ChatTemplate alpaca(String eosToken) {
        return new ChatTemplate("alpaca", Map.of(DEFAULT, ALPACA), Map.of("eos_token", eosToken), Clock.systemDefaultZone());
    }

    /** ChatML ({@code <|im_start|>role ... <|im_end|>}). */
    public static ChatTemplate chatml() {
        return new ChatTemplate("chatml", Map.of(DEFAULT, CHATML), Map.of(), Clock.systemDefaultZone());
    }

    public String name() {
        return name;
    }

    /**
     * Whether text rendered with this template is encoded with the tokenizer's special tokens (its
     * post-processor's BOS/EOS): not for a model's own template, which places them itself (HF's
     * apply_chat_template encodes with add_special_tokens=False), but for the built-in formats, as
     * HF's tokenizer(text) does.
     */
    public boolean encodesSpecialTokens() {
        return !name.equals("model");
    }

    /** The source of the template used without tools. */
    public String source() {
        return sources.getOrDefault(DEFAULT, sources.values().iterator().next());
    }

    public String render(List<Message> messages, boolean addGenerationPrompt) {
        return render(messages, null, addGenerationPrompt);
    }

    /** Renders with the tool specs the model may call ({@code null}: none, as HF passes {@code tools=None}). */
    public String render(List<Message> messages, List<?> tools, boolean addGenerationPrompt) {
        List<Object> turns = new ArrayList<>(messages.size());
        messages.forEach(m -> turns.add(m.asTemplateValue()));
        return renderValues(turns, tools, null, addGenerationPrompt, Map.of());
    }

    /**
     * HF's {@code render_jinja_template}: {@code messages} as dicts, {@code tools} and
     * {@code documents} (null = None), the special tokens, then {@code kwargs}, which override them.
     */
    public String renderValues(List<?> messages, List<?> tools, List<?> documents, boolean addGenerationPrompt,
                               Map<String, ?> kwargs) {
        Template template = select(tools);
        Map<String, Object> context = new LinkedHashMap<>(specialTokens);
        context.put("messages", messages);
        context.put("tools", tools);
        context.put("documents", documents);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.putAll(kwargs);
        try {
            return template.render(context);
        } catch (TemplateException e) {
            throw translate(name, e);
        }
    }

    /** HF's get_chat_template: "tool_use" when tools are passed and the model has it, else "default". */
    private Template select(List<?> tools) {
        if (compiled.size() == 1) {
            return compiled.values().iterator().next();
        }
        if (tools != null && compiled.containsKey(TOOL_USE)) {
            return compiled.get(TOOL_USE);
        }
        Template fallback = compiled.get(DEFAULT);
        if (fallback == null) {
            throw new ChatTemplateException("the model has chat templates " + compiled.keySet()
                    + " and none is named 'default'", "template_error", null);
        }
        return fallback;
    }

    /**
     * Renders a conversation for training as segments: each assistant turn is what rendering it adds
     * after the prompt that leads to it (with the generation prompt), so the loss mask lands exactly
     * on the assistant's text whatever the template's markup. Templates that render an earlier turn
     * differently once later turns exist (Qwen3 and DeepSeek-R1 drop the reasoning of turns before the
     * last question) cannot place every turn that way: then the last assistant turn is learned and
     * everything before it is context, exactly as the template renders the whole conversation.
     */
    public List<Segment> renderForTraining(List<Message> messages) {
        return renderForTraining(messages, null);
    }

    public List<Segment> renderForTraining(List<Message> messages, List<?> tools) {
        List<Segment> segments = new ArrayList<>();
        String done = "";
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).role().equals("assistant")) {
                continue;
            }
            String prompt = render(messages.subList(0, i), tools, true);
            String withAnswer = render(messages.subList(0, i + 1), tools, false);
            if (!prompt.startsWith(done) || !withAnswer.startsWith(prompt)) {
                return lastTurnOnly(messages, tools);
            }
            if (prompt.length() > done.length()) {
                segments.add(new Segment(prompt.substring(done.length()), false));
            }
            segments.add(new Segment(withAnswer.substring(prompt.length()), true, i));
            done = withAnswer;
        }
        if (segments.stream().noneMatch(Segment::trained)) {
            throw new ChatTemplateException("the conversation has no assistant turn to learn from", "no_assistant_turn", null);
        }
        if (!messages.get(messages.size() - 1).role().equals("assistant")) {
            String all = render(messages, tools, false); // turns after the last answer are context
            if (!all.startsWith(done)) {
                return lastTurnOnly(messages, tools);
            }
            if (all.length() > done.length()) {
                segments.add(new Segment(all.substring(done.length()), false));
            }
        }
        return segments;
    }

    private List<Segment> lastTurnOnly(List<Message> messages, List<?> tools) {
        int last = -1;
        for (int i = 0; i < messages.size(); i++) {
            last = messages.get(i).role().equals("assistant") ? i : last;
        }
        if (last < 0) {
            throw new ChatTemplateException("the conversation has no assistant turn to learn from", "no_assistant_turn", null);
        }
        String prompt = render(messages.subList(0, last), tools, true);
        String withAnswer = render(messages.subList(0, last + 1), tools, false);
        String all = render(messages, tools, false);
        if (!withAnswer.startsWith(prompt) || !all.startsWith(withAnswer)) {
            throw new ChatTemplateException("chat template '" + name + "' does not render the last assistant turn as an"
                    + " extension of the turns before it; cannot place the loss mask", "not_incremental", null);
        }
        List<Segment> segments = new ArrayList<>();
        segments.add(new Segment(prompt, false));
        segments.add(new Segment(withAnswer.substring(prompt.length()), true, last));
        if (all.length() > withAnswer.length()) {
            segments.add(new Segment(all.substring(withAnswer.length()), false));
        }
        return segments;
    }

    private static ChatTemplateException translate(String name, TemplateException e) {
        String what = e.kind() == TemplateException.Kind.RAISED ? "refused the conversation: " : "failed: ";
        return new ChatTemplateException("chat template '" + name + "' " + what + e.getMessage(),
                e.kind().name().toLowerCase(java.util.Locale.ROOT), e);
    }

    private static Object[] bind(List<Object> args, Map<String, Object> kwargs, String... names) {
        Object[] values = new Object[names.length];
        for (int i = 0; i < args.size() && i < names.length; i++) {
            values[i] = args.get(i);
        }
        for (int i = 0; i < names.length; i++) {
            if (kwargs.containsKey(names[i])) {
                values[i] = kwargs.get(names[i]);
            }
        }
        for (String key : kwargs.keySet()) {
            if (!List.of(names).contains(key)) {
                throw new ChatTemplateException("tojson() got an unexpected keyword argument '" + key + "'");
            }
        }
        return values;
    }

    private static boolean truthy(Object value) {
        return !(value instanceof Boolean b) || b;
    }
}
