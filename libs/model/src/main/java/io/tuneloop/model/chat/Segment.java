package io.tuneloop.model.chat;

/**
 * A piece of rendered conversation text and whether the model learns it: assistant turns (with the
 * template's end-of-turn marker) are trained, everything else is context.
 *
 * @param message the index of the assistant message a trained segment renders, or -1 (context)
 */
public record Segment(String text, boolean trained, int message) {
    public Segment(String text, boolean trained) {
        this(text, trained, -1);
    }
}
