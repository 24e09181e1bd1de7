package io.tuneloop.formatter.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Renders task templates (Jinja) for one record's fields. Thread-safe. */
public final class TemplateRenderer {
    private final Jinjava jinja = new Jinjava(JinjavaConfig.newBuilder().withFailOnUnknownTokens(false).build());
    private final Map<String, String[]> parts = new ConcurrentHashMap<>();

    /** The fields a template can use. {@code options} is empty for tasks without a label set. */
    public record Fields(String instruction, String input, String output, List<String> options, String task,
                         String category) {
        Map<String, Object> context() {
            Map<String, Object> context = new HashMap<>();
            context.put("instruction", instruction == null ? "" : instruction);
            context.put("input", input == null ? "" : input);
            context.put("output", output == null ? "" : output);
            context.put("options", options == null ? List.of() : options);
            context.put("task", task == null ? "" : task);
            context.put("category", category == null ? "" : category);
            return context;
        }
    }

    /** A rendered phrasing. */
    public record Rendered(String prompt, String response) {
    }

    /**
     * Renders {@code template}; empty when it does not apply to this record (its prompt or response
     * comes out blank, e.g. an inverted template whose target is a missing input).
     */
    public Optional<Rendered> render(TaskTemplate template, Fields fields) {
        String[] sources = parts.computeIfAbsent(template.id(),
                id -> new String[] {template.promptSource(), template.responseSource()});
        Map<String, Object> context = fields.context();
        String prompt = renderPart(template, sources[0], context);
        String response = renderPart(template, sources[1], context);
        if (prompt.isBlank() || response.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new Rendered(prompt, response));
    }

    private String renderPart(TaskTemplate template, String source, Map<String, Object> context) {
        RenderResult result = jinja.renderForResult(source, context);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new IllegalArgumentException("template " + template.id() + " failed: " + error.getMessage());
            }
        }
        return result.getOutput();
    }
}
