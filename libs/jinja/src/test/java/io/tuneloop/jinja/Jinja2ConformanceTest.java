package io.tuneloop.jinja;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.oracles.Oracle;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every case of {@code conformance.txt} rendered by Python's jinja2 (in the sandbox Hugging Face
 * uses) and by this engine: the outputs must be byte-identical, and where jinja2 fails this
 * engine must fail too. Requires the machine's python3 with jinja2 ({@code .ci/run} makes it so).
 */
class Jinja2ConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Case(String id, String template, Map<String, Object> context, Map<String, Boolean> options,
                boolean refused) {
    }

    /** The corpus files: the first written with the engine, the second by an adversarial review of it. */
    static final List<String> FILES = List.of("/conformance.txt", "/conformance-extra.txt");

    static List<Case> corpus() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String file : FILES) {
            cases.addAll(corpus(file));
        }
        return cases;
    }

    static List<Case> corpus(String file) throws IOException {
        String text;
        try (InputStream in = Jinja2ConformanceTest.class.getResourceAsStream(file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Case> cases = new ArrayList<>();
        String id = null;
        List<String> flags = List.of();
        StringBuilder template = null;
        String context = null;
        for (String line : (text + "\n=== end").split("\n", -1)) {
            if (line.startsWith("=== ")) {
                if (id != null) {
                    cases.add(toCase(id, flags, template.toString(), context));
                }
                String[] header = line.substring(4).trim().split("\\s+");
                id = header[0];
                flags = List.of(header).subList(1, header.length);
                template = null;
                context = null;
            } else if (id != null && line.startsWith("--- ")) {
                context = line.substring(4);
            } else if (id != null && context == null) {
                template = template == null ? new StringBuilder(line) : template.append('\n').append(line);
            }
        }
        return cases;
    }

    @SuppressWarnings("unchecked")
    private static Case toCase(String id, List<String> flags, String template, String context) throws IOException {
        String source = flags.contains("json") ? JSON.readValue(template, String.class) : template;
        Map<String, Object> values = context == null ? Map.of() : JSON.readValue(context, Map.class);
        Map<String, Boolean> options = new LinkedHashMap<>();
        options.put("trim_blocks", flags.contains("trim"));
        options.put("lstrip_blocks", flags.contains("lstrip"));
        options.put("loopcontrols", flags.contains("loop"));
        options.put("keep_trailing_newline", flags.contains("keepnl"));
        return new Case(id, source, values, options, flags.contains("refused"));
    }

    static String renderHere(Case c) {
        Environment env = Environment.builder()
                .trimBlocks(c.options().get("trim_blocks"))
                .lstripBlocks(c.options().get("lstrip_blocks"))
                .loopControls(c.options().get("loopcontrols"))
                .keepTrailingNewline(c.options().get("keep_trailing_newline"))
                .build();
        return env.compile(c.template()).render(c.context());
    }

    @Test
    void everyCaseRendersExactlyAsPythonsJinja2() throws IOException {
        Oracle jinja2 = Oracle.python("jinja_oracle.py", "jinja2");
        List<Case> cases = corpus();
        assertThat(cases).hasSizeGreaterThan(250);
        JsonNode reference = jinja2.run(Map.of("cases", cases));
        List<String> differences = new ArrayList<>();
        int failedAlike = 0;
        int refused = 0;
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            JsonNode expected = reference.get(i);
            String actual;
            String actualError = null;
            TemplateException.Kind kind = null;
            try {
                actual = renderHere(c);
            } catch (TemplateException e) {
                actual = null;
                kind = e.kind();
                actualError = e.kind() + ": " + e.getMessage();
            } catch (RuntimeException | StackOverflowError e) { // an engine bug: a difference, not the end of the test
                actual = null;
                kind = null;
                actualError = "CRASH " + e;
            }
            if (actualError != null && actualError.startsWith("CRASH")) {
                differences.add(c.id() + ": the engine crashed (" + actualError + "); jinja2 says " + expected);
            } else if (c.refused()) {
                if (expected.has("error") || kind != TemplateException.Kind.UNSUPPORTED) {
                    differences.add(c.id() + ": meant to be valid Jinja that we refuse by name, but jinja2 says "
                            + expected + " and we say " + (actualError == null ? actual : actualError));
                } else {
                    refused++;
                }
            } else if (kind == TemplateException.Kind.UNSUPPORTED) {
                differences.add(c.id() + ": refused (" + actualError + "); jinja2 says " + expected);
            } else if (expected.has("error")) {
                if (actualError == null) {
                    differences.add(c.id() + ": jinja2 fails (" + expected.get("error").asText() + ") but we rendered "
                            + JSON.writeValueAsString(actual));
                } else {
                    failedAlike++;
                    System.out.println("both fail: " + c.id() + "\n  jinja2: " + expected.get("error").asText()
                            + "\n  ours:   " + actualError);
                }
            } else if (actualError != null) {
                differences.add(c.id() + ": jinja2 renders " + JSON.writeValueAsString(expected.get("output").asText())
                        + " but we failed: " + actualError);
            } else if (!expected.get("output").asText().equals(actual)) {
                differences.add(c.id() + ":\n  jinja2: " + JSON.writeValueAsString(expected.get("output").asText())
                        + "\n  ours:   " + JSON.writeValueAsString(actual));
            }
        }
        System.out.println(cases.size() + " cases, " + failedAlike + " failing in both engines, " + refused
                + " refused by name, " + differences.size() + " differences");
        assertThat(differences).as("cases where this engine differs from Python's jinja2").isEmpty();
    }
}
