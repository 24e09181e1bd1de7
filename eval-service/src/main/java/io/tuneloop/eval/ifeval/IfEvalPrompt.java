package io.tuneloop.eval.ifeval;

import io.tuneloop.events.JsonLines;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A prompt with verifiable instructions (IFEval's input format: id, prompt, instructions with arguments). */
public record IfEvalPrompt(String id, String prompt, List<Instruction> instructions) {
    public static final String BUNDLED = "suites/ifeval.jsonl";

    public IfEvalPrompt {
        instructions = List.copyOf(instructions);
        for (Instruction i : instructions) {
            if (!Checkers.SUPPORTED.contains(i.id())) {
                throw new IllegalArgumentException("prompt " + id + ": unknown instruction " + i.id());
            }
        }
    }

    /** The prompt set written for this project: every instruction type at least once. */
    public static List<IfEvalPrompt> bundled() {
        try (InputStream in = IfEvalPrompt.class.getClassLoader().getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED + " is missing from the class path");
            }
            return read(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<IfEvalPrompt> read(byte[] jsonLines) {
        return JsonLines.read(jsonLines, IfEvalPrompt.class);
    }

    /**
     * Scores a response: prompt-level (all instructions followed) and instruction-level (how many),
     * strict and loose.
     */
    public Score score(String response) {
        int strict = 0;
        int loose = 0;
        for (Instruction instruction : instructions) {
            if (Checkers.follows(instruction, prompt, response)) {
                strict++;
            }
            if (Checkers.followsLoose(instruction, prompt, response)) {
                loose++;
            }
        }
        return new Score(strict == instructions.size(), loose == instructions.size(), strict, loose, instructions.size());
    }

    /** One response's IFEval score. */
    public record Score(boolean promptStrict, boolean promptLoose, int instructionsStrict, int instructionsLoose,
                        int instructions) {
    }
}
