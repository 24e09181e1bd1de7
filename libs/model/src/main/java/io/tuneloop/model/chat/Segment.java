package io.tuneloop.model.chat;

/**
 * A piece of rendered conversation text and whether the model learns it: assistant turns (with the
 * template's end-of-turn marker) are trained, everything else is context.
 */
public record Segment(String text, boolean trained) {
}
