package io.tuneloop.eval.flow;

import io.tuneloop.events.JsonLines;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A prompt with reference answers, scored by exact match and ROUGE-L (max over the references). The
 * bundled {@code general} suite is one set of these: general questions a tuned model should still
 * answer as well as its base (a drop is forgetting, the cost of over-tuning).
 */
public record ReferencePrompt(String id, String task, String category, String prompt, List<String> references) {
    public static final String GENERAL = "suites/general.jsonl";

    public ReferencePrompt {
        if (id == null || prompt == null || references == null || references.isEmpty()) {
            throw new IllegalArgumentException("a reference prompt needs id, prompt and at least one reference");
        }
        references = List.copyOf(references);
    }

    public static List<ReferencePrompt> bundledGeneral() {
        try (InputStream in = ReferencePrompt.class.getClassLoader().getResourceAsStream(GENERAL)) {
            if (in == null) {
                throw new IllegalStateException(GENERAL + " is missing from the class path");
            }
            return read(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<ReferencePrompt> read(byte[] jsonLines) {
        return JsonLines.read(jsonLines, ReferencePrompt.class);
    }
}
