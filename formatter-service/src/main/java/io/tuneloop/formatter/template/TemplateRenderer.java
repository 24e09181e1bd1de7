package io.tuneloop.formatter.template;

import io.tuneloop.jinja.Environment;
import io.tuneloop.jinja.Limits;
import io.tuneloop.jinja.Template;
import io.tuneloop.jinja.TemplateException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders task templates (promptsource-style Jinja) for one record's fields, in a sandbox: the
 * record's text is inserted as data and never interpreted, a template cannot load files or
 * classpath resources, and one render is bounded in output, loop iterations and time. Thread-safe.
 */
public final class TemplateRenderer {
    /** What one phrasing of one record may cost; user templates come from the bucket. */
    static final Limits LIMITS = new Limits(1 << 20, 100_000, Duration.ofSeconds(2), 16);
    private static final Environment SANDBOX = Environment.builder().loopControls(true).limits(LIMITS).build();

    private final Map<String, Template[]> compiled = new ConcurrentHashMap<>();

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

    /** A phrasing that failed for one record (its budget, or a type error on this record's values). */
    public static final class RenderFailure extends RuntimeException {
        private final String kind;

        RenderFailure(TaskTemplate template, TemplateException cause) {
            super("template " + template.id() + " failed: " + cause.getMessage(), cause);
            this.kind = cause.kind().name().toLowerCase(java.util.Locale.ROOT);
        }

        /** An unexpected failure (a defect): still this record's failure, never the whole version's. */
        RenderFailure(TaskTemplate template, RuntimeException cause) {
            super("template " + template.id() + " failed unexpectedly: " + cause, cause);
            this.kind = "error";
        }

        /** The engine's reason: limit, type, undefined, security, unsupported, raised. */
        public String kind() {
            return kind;
        }
    }

    /** Compiles both halves of a template; a template that is not valid Jinja fails with its line. */
    static Template[] compile(TaskTemplate template) {
        try {
            return new Template[]{SANDBOX.compile(template.promptSource()), SANDBOX.compile(template.responseSource())};
        } catch (TemplateException e) {
            throw new IllegalArgumentException("template " + template.id() + " is not valid: " + e.getMessage(), e);
        }
    }

    /**
     * Renders {@code template}; empty when it does not apply to this record (its prompt or response
     * comes out blank, e.g. an inverted template whose target is a missing input).
     *
     * @throws RenderFailure when the template fails for this record's values
     */
    public Optional<Rendered> render(TaskTemplate template, Fields fields) {
        Template[] parts = compiled.computeIfAbsent(template.jinja(), source -> compile(template));
        Map<String, Object> context = fields.context();
        try {
            String prompt = parts[0].render(context);
            String response = parts[1].render(context);
            if (prompt.isBlank() || response.isBlank()) {
                return Optional.empty();
            }
            return Optional.of(new Rendered(prompt, response));
        } catch (TemplateException e) {
            throw new RenderFailure(template, e);
        } catch (RenderFailure e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RenderFailure(template, e);
        }
    }
}
