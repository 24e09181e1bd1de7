package io.tuneloop.formatter.dataset;

import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.ChatTemplateException;
import io.tuneloop.model.chat.Message;
import io.tuneloop.model.chat.Segment;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.train.SftExample;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts an example into the target model's chat format and, when a tokenizer is given, into token
 * ids with loss spans. The whole rendered text is tokenized once (as HF and serving engines do) and
 * the spans come from character offsets ({@link SftExample#tokenize}): they cover the response and
 * the template's end-of-turn / EOS token, never the prompt. With the model's own template the text
 * is encoded without the post-processor's special tokens (the template places BOS, as in
 * {@code apply_chat_template}); the built-in formats are encoded as {@code tokenizer(text)} does.
 */
public final class ExampleEncoder {
    /** Why an example was dropped, counted in the manifest. */
    public static final String DROPPED_TOO_LONG = "too_long";
    public static final String DROPPED_RESPONSE_TRUNCATED = "response_truncated";
    public static final String DROPPED_TEMPLATE_ERROR = "chat_template_error";
    public static final String DROPPED_NOTHING_TO_LEARN = "no_trained_turn";
    public static final String DROPPED_TOOLS_UNSUPPORTED = "tools_not_rendered";

    private final String format;
    private final ChatTemplate chat;
    private final boolean modelTemplate;
    private final String eos;
    private final String systemPrompt;
    private final TextTokenizer tokenizer;
    private final int maxTokens;
    private final boolean dropLong;

    /** Assistant turns kept as context only, because the template re-renders history (counted in the manifest). */
    public static final String TURN_AS_CONTEXT = "turn_learned_as_context_only";

    /**
     * The outcome for one example: encoded, or the reason it was dropped and why in words;
     * {@code turnsAsContext} counts assistant turns that are in the text but not learned because the
     * template renders them differently once later turns exist.
     */
    public record Encoded(Optional<InstructionRecord> record, String droppedBecause, String detail, int turnsAsContext) {
        Encoded(Optional<InstructionRecord> record, String droppedBecause, String detail) {
            this(record, droppedBecause, detail, 0);
        }

        static Encoded dropped(String reason, String detail) {
            return new Encoded(Optional.empty(), reason, detail);
        }
    }

    /**
     * @param tokenizer the model's tokenizer (its chat_template serves format "model"), or null for text only
     * @param clock     what the template's {@code strftime_now} reads (fixed per version, so a version is reproducible)
     */
    public ExampleEncoder(DatasetSpec spec, TextTokenizer tokenizer, Clock clock) {
        this.format = spec.chatFormat();
        this.tokenizer = tokenizer;
        this.eos = tokenizer == null ? "" : tokenizer.token("eos_token").orElse("");
        this.systemPrompt = spec.systemPrompt();
        this.maxTokens = spec.maxTokens();
        this.dropLong = spec.truncation().equals("drop");
        this.modelTemplate = format.equals("model");
        this.chat = switch (format) {
            case "model" -> {
                if (tokenizer == null) {
                    throw new IllegalArgumentException("chatFormat model needs the model's tokenizer");
                }
                yield ChatTemplate.ofModel(tokenizer, clock).orElseThrow(() -> new IllegalArgumentException(
                        "chatFormat model: the model's tokenizer has no chat_template"));
            }
            case "alpaca" -> ChatTemplate.alpaca(eos);
            case "chatml" -> ChatTemplate.chatml();
            default -> null; // plain: prompt then response, no markup
        };
        if (tokenizer != null && !modelTemplate) {
            tokenizer.requireConsistentSpecialTokens();
        }
    }

    public ExampleEncoder(DatasetSpec spec, TextTokenizer tokenizer) {
        this(spec, tokenizer, Clock.systemUTC());
    }

    public boolean tokenizes() {
        return tokenizer != null;
    }

    public String describe() {
        return format + (tokenizer == null ? ", text only" : ", max " + maxTokens + " tokens");
    }

    /** Encodes one example; whatever goes wrong with it (even a defect) drops this example only, with the reason. */
    public Encoded encode(InstructionRecord record) {
        try {
            return encodeOrFail(record);
        } catch (RuntimeException e) {
            return Encoded.dropped(DROPPED_TEMPLATE_ERROR, "could not render or tokenize this example: " + e);
        }
    }

    private Encoded encodeOrFail(InstructionRecord record) {
        if (usesTools(record) && !modelTemplate) {
            return Encoded.dropped(DROPPED_TOOLS_UNSUPPORTED, "tool calls and tool specs need the model's own chat"
                    + " template (chatFormat model); the " + format + " format has no syntax for them");
        }
        List<Segment> segments;
        try {
            segments = segments(record);
        } catch (ChatTemplateException e) { // the model's template refuses this conversation (e.g. role order)
            String reason = switch (e.reason()) {
                case "no_assistant_turn" -> DROPPED_NOTHING_TO_LEARN;
                case "tools_not_rendered" -> DROPPED_TOOLS_UNSUPPORTED;
                default -> DROPPED_TEMPLATE_ERROR;
            };
            return Encoded.dropped(reason, e.getMessage());
        }
        StringBuilder text = new StringBuilder();
        segments.forEach(s -> text.append(s.text()));
        if (segments.stream().noneMatch(Segment::trained)) {
            return Encoded.dropped(DROPPED_NOTHING_TO_LEARN, "no assistant turn is marked for training");
        }
        if (tokenizer == null) {
            return new Encoded(Optional.of(record.withEncoding(text.toString(), null, null)), null, null);
        }
        SftExample full = SftExample.tokenize(segments, tokenizer, Integer.MAX_VALUE, !modelTemplate);
        if (full.length() > maxTokens && dropLong) {
            return Encoded.dropped(DROPPED_TOO_LONG, full.length() + " tokens, more than " + maxTokens);
        }
        SftExample kept = full.truncated(maxTokens);
        if (kept.learnedTokens() == 0) {
            return Encoded.dropped(DROPPED_RESPONSE_TRUNCATED, "cutting to " + maxTokens + " tokens left no response token");
        }
        List<int[]> spans = spans(kept.trained());
        int[] tokens = new int[kept.length()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Math.toIntExact(kept.tokens()[i]);
        }
        return new Encoded(Optional.of(record.withEncoding(text.toString(), tokens, spans)), null, null,
                turnsAsContext(record, segments));
    }

    /** Trained assistant turns of the record that no trained segment renders (the template's last-turn fallback). */
    private static int turnsAsContext(InstructionRecord record, List<Segment> segments) {
        if (record.messages() == null) {
            return 0;
        }
        long learnable = record.messages().stream().filter(m -> m.role().equals("assistant") && m.trained()).count();
        long learned = segments.stream().filter(Segment::trained).count();
        return (int) Math.max(0, learnable - learned);
    }

    private static boolean usesTools(InstructionRecord record) {
        return record.tools() != null || record.messages() != null
                && record.messages().stream().anyMatch(m -> m.toolCalls() != null || m.role().equals("tool"));
    }

    /** The example as rendered text pieces, trained or not. */
    List<Segment> segments(InstructionRecord record) {
        if (chat == null) {
            List<Segment> plain = new ArrayList<>();
            if (record.messages() != null) {
                for (ChatMessage m : record.messages()) {
                    boolean assistant = m.role().equals("assistant");
                    plain.add(new Segment(m.content() + (assistant ? eos : "") + "\n", assistant && m.trained()));
                }
                return plain;
            }
            plain.add(new Segment((systemPrompt == null ? "" : systemPrompt + "\n\n") + record.prompt() + "\n", false));
            plain.add(new Segment(record.response() + eos, true));
            return plain;
        }
        List<Message> messages = new ArrayList<>();
        if (record.messages() != null) {
            boolean hasSystem = record.messages().stream().anyMatch(m -> m.role().equals("system"));
            if (systemPrompt != null && !hasSystem) {
                messages.add(Message.system(systemPrompt));
            }
            int offset = messages.size(); // a system prompt the spec adds comes before the record's turns
            record.messages().forEach(m -> messages.add(new Message(m.role(), m.content(), m.templateFields())));
            requireToolsRendered(messages, record.tools());
            return withUntrainedTurns(chat.renderForTraining(messages, record.tools()), record.messages(), offset);
        }
        if (systemPrompt != null) {
            messages.add(Message.system(systemPrompt));
        }
        messages.add(Message.user(record.prompt()));
        messages.add(Message.assistant(record.response()));
        return chat.renderForTraining(messages);
    }

    /**
     * A template that ignores tool specs or tool calls would drop them from the training text without
     * a word; rendering with and without them tells.
     */
    private void requireToolsRendered(List<Message> messages, List<Object> tools) {
        if (tools != null && chat.render(messages, tools, false).equals(chat.render(messages, null, false))) {
            throw new ChatTemplateException("the model's chat template does not render the conversation's tools",
                    "tools_not_rendered", null);
        }
        List<Message> withoutCalls = messages.stream().map(m -> m.fields().containsKey("tool_calls")
                ? new Message(m.role(), m.content(), without(m.fields(), "tool_calls")) : m).toList();
        if (!withoutCalls.equals(messages) && chat.render(messages, tools, false).equals(chat.render(withoutCalls, tools, false))) {
            throw new ChatTemplateException("the model's chat template does not render tool calls", "tools_not_rendered", null);
        }
    }

    private static java.util.Map<String, Object> without(java.util.Map<String, Object> fields, String key) {
        java.util.Map<String, Object> copy = new java.util.LinkedHashMap<>(fields);
        copy.remove(key);
        return copy;
    }

    /** Assistant turns marked {@code train: false} (OpenAI's weight 0) stay in the text but are not learned. */
    private static List<Segment> withUntrainedTurns(List<Segment> segments, List<ChatMessage> turns, int offset) {
        List<Segment> out = new ArrayList<>(segments.size());
        for (Segment segment : segments) {
            boolean learn = segment.trained() && turns.get(segment.message() - offset).trained();
            out.add(learn || !segment.trained() ? segment : new Segment(segment.text(), false));
        }
        return out;
    }

    /** The rendered text of a conversation up to the assistant's turn, for previews and generation. */
    public String promptText(List<Message> messages) {
        return chat == null ? messages.get(messages.size() - 1).content() + "\n" : chat.render(messages, true);
    }

    private static List<int[]> spans(boolean[] trained) {
        List<int[]> spans = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= trained.length; i++) {
            boolean on = i < trained.length && trained[i];
            if (on && start < 0) {
                start = i;
            } else if (!on && start >= 0) {
                spans.add(new int[] {start, i});
                start = -1;
            }
        }
        return spans;
    }
}
