package io.tuneloop.events.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import io.tuneloop.events.JsonLines;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The prompts of the suites eval scores every checkpoint on besides a dataset's own held-out
 * splits: the bundled ones ({@code suites/<name>.jsonl} on the classpath, read by eval for scoring
 * and by the formatter to keep them out of training data) and an operator's ({@code eval/suites/}
 * in the store). A suite file is JSON Lines whose lines carry at least {@code id} and {@code prompt}.
 */
public final class EvalPrompts {
    /** The bundled suites, by name. */
    public static final List<String> BUNDLED = List.of("general", "ifeval");

    /** One prompt of a suite. */
    public record EvalPrompt(String suite, String id, String prompt) {
    }

    /** Parsed once: the resources never change while the process runs. */
    private static final class Bundled {
        static final List<EvalPrompt> PROMPTS = read();
    }

    private EvalPrompts() {
    }

    /** The classpath resource of a bundled suite. */
    public static String resource(String suite) {
        return "suites/" + suite + ".jsonl";
    }

    public static List<EvalPrompt> bundled() {
        return Bundled.PROMPTS;
    }

    private static List<EvalPrompt> read() {
        List<EvalPrompt> prompts = new ArrayList<>();
        for (String suite : BUNDLED) {
            try (InputStream in = EvalPrompts.class.getClassLoader().getResourceAsStream(resource(suite))) {
                if (in == null) {
                    throw new IllegalStateException("the bundled suite " + resource(suite) + " is missing from the classpath");
                }
                prompts.addAll(parse(suite, in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource(suite), e);
            }
        }
        return List.copyOf(prompts);
    }

    /** The prompts of a suite file; a line without a text prompt is refused with its number. */
    public static List<EvalPrompt> parse(String suite, byte[] jsonLines) {
        List<EvalPrompt> prompts = new ArrayList<>();
        int[] line = {0};
        JsonLines.read(jsonLines, JsonNode.class).forEach(node -> {
            line[0]++;
            if (!node.path("prompt").isTextual()) {
                throw new IllegalArgumentException("suite " + suite + " line " + line[0] + " has no text prompt");
            }
            prompts.add(new EvalPrompt(suite, node.path("id").asText("line-" + line[0]), node.get("prompt").asText()));
        });
        return prompts;
    }

    /** Bundled and operator suites together (operator suites by name, as eval lists them). */
    public static List<EvalPrompt> all(Map<String, byte[]> operatorSuites) {
        List<EvalPrompt> prompts = new ArrayList<>(bundled());
        operatorSuites.forEach((name, bytes) -> prompts.addAll(parse(name, bytes)));
        return prompts;
    }
}
