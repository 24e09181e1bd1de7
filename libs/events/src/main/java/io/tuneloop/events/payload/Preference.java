package io.tuneloop.events.payload;

import java.util.List;

/**
 * What makes a raw record a preference record. Its {@code messages} are then the prompt (the
 * conversation up to the turn being answered; earlier assistant turns are context, never learned),
 * and this holds the answers to it:
 * <ul>
 *   <li>a pair (DPO and friends): {@code chosen} and {@code rejected}, each the assistant turns that
 *       answer the prompt;</li>
 *   <li>unary feedback (KTO): one {@code completion} and its {@code label} (true = desirable).</li>
 * </ul>
 * A rejected or undesirable answer is never fine-tuning text: only preference training reads these.
 */
public record Preference(List<ChatMessage> chosen, List<ChatMessage> rejected, List<ChatMessage> completion,
                         Boolean label) {
    public Preference {
        boolean pair = chosen != null || rejected != null;
        boolean unary = completion != null || label != null;
        if (pair == unary) {
            throw new InvalidPayloadException("a preference holds chosen and rejected, or a completion and its label");
        }
        if (pair) {
            chosen = answer(chosen, "preference.chosen");
            rejected = answer(rejected, "preference.rejected");
            if (chosen.equals(rejected)) {
                throw new InvalidPayloadException("preference.chosen and preference.rejected are the same answer");
            }
        } else {
            completion = answer(completion, "preference.completion");
            Require.present(label, "preference.label");
        }
    }

    public static Preference pair(List<ChatMessage> chosen, List<ChatMessage> rejected) {
        return new Preference(chosen, rejected, null, null);
    }

    public static Preference unary(List<ChatMessage> completion, boolean label) {
        return new Preference(null, null, completion, label);
    }

    /** Two answers compared (rather than one labelled); not a bean getter, so it is no JSON field. */
    public boolean pairwise() {
        return chosen != null;
    }

    /** An answer is one or more turns that start with the assistant's and contain no user turn. */
    private static List<ChatMessage> answer(List<ChatMessage> turns, String field) {
        if (turns == null || turns.isEmpty()) {
            throw new InvalidPayloadException(field + " must hold the assistant's answer");
        }
        if (!turns.get(0).role().equals("assistant")) {
            throw new InvalidPayloadException(field + " must start with an assistant turn, not " + turns.get(0).role());
        }
        for (ChatMessage turn : turns) {
            if (turn.role().equals("user") || turn.role().equals("system")) {
                throw new InvalidPayloadException(field + " holds a " + turn.role() + " turn; an answer is the assistant's"
                        + " (and its tool results)");
            }
        }
        return List.copyOf(turns);
    }
}
