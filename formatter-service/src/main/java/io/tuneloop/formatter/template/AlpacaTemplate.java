package io.tuneloop.formatter.template;

import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.RawRecord;

import java.util.List;

/**
 * The Stanford Alpaca prompt, the format most instruction data and tools already know. It is the
 * fallback phrasing; the template library (many phrasings per task) builds on the same contract:
 * a raw record in, a prompt and a response out.
 */
public final class AlpacaTemplate {
    public static final String ID = "alpaca";

    private static final String WITH_INPUT = "Below is an instruction that describes a task, paired with an input"
            + " that provides further context. Write a response that appropriately completes the request.\n\n"
            + "### Instruction:\n%s\n\n### Input:\n%s\n\n### Response:\n";
    private static final String WITHOUT_INPUT = "Below is an instruction that describes a task."
            + " Write a response that appropriately completes the request.\n\n"
            + "### Instruction:\n%s\n\n### Response:\n";

    /** A rendered example. */
    public record Rendered(String prompt, String response) {
    }

    private AlpacaTemplate() {
    }

    public static Rendered render(RawRecord record) {
        if (record.messages() != null && !record.messages().isEmpty()) {
            return renderConversation(record.messages());
        }
        String input = record.input();
        String prompt = input == null || input.isBlank()
                ? WITHOUT_INPUT.formatted(record.instruction())
                : WITH_INPUT.formatted(record.instruction(), input);
        return new Rendered(prompt, record.output());
    }

    /**
     * A conversation becomes one example whose response is its last assistant turn and whose
     * prompt is every turn before it. (Per-turn loss masks come with the chat-template work.)
     */
    private static Rendered renderConversation(List<ChatMessage> messages) {
        int last = -1;
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("assistant")) {
                last = i;
                break;
            }
        }
        if (last < 0) {
            throw new IllegalArgumentException("a conversation needs an assistant turn to learn from");
        }
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < last; i++) {
            ChatMessage m = messages.get(i);
            prompt.append("### ").append(capitalize(m.role())).append(":\n").append(m.content()).append("\n\n");
        }
        prompt.append("### Assistant:\n");
        return new Rendered(prompt.toString(), messages.get(last).content());
    }

    private static String capitalize(String role) {
        return Character.toUpperCase(role.charAt(0)) + role.substring(1);
    }
}
