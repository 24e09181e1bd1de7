package io.tuneloop.formatter;

import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.formatter.dataset.ExampleEncoder;
import io.tuneloop.formatter.template.TaskTemplate;
import io.tuneloop.formatter.template.TemplateLibrary;
import io.tuneloop.formatter.template.TemplateRenderer;
import io.tuneloop.oracles.HostileText;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Data is never code in the formatter: records whose text is template syntax of every kind come out
 * literally in every built-in phrasing, and user templates (from the bucket) run in a sandbox that
 * refuses loading files and stops runaway loops, huge strings and deep recursion.
 */
class HostileRecordsTest {
    private static final TemplateLibrary BUILTIN = TemplateLibrary.load(List.of());
    private static final TemplateRenderer RENDERER = new TemplateRenderer();

    @Test
    void everyHostileRecordIsRenderedLiterallyByEveryBuiltInPhrasing() {
        for (var hostile : HostileText.corpus().entrySet()) {
            String text = hostile.getValue();
            TemplateRenderer.Fields fields = new TemplateRenderer.Fields(text, text, text, List.of(text, "other"), "t", null);
            int rendered = 0;
            for (TaskTemplate template : BUILTIN.all()) {
                var result = RENDERER.render(template, fields);
                if (result.isPresent()) {
                    String both = result.get().prompt() + "\n" + result.get().response();
                    assertThat(both).as(hostile.getKey() + " in " + template.id()).contains(text);
                    rendered++;
                }
            }
            assertThat(rendered).as(hostile.getKey()).isEqualTo(BUILTIN.all().size());
        }
    }

    @Test
    void aWholeVersionOfHostileRecordsSealsEachOneLiterally() {
        List<RawRecord> records = new ArrayList<>();
        int i = 0;
        for (String text : HostileText.corpus().values()) {
            records.add(new RawRecord("%032x".formatted(1000 + i), "d", "b", i, "alpaca", "t", null, "en", text, "",
                    "Answer: " + text, null, null, new Provenance("d", "b", "raw/x", "hostile.jsonl", i + 1), Map.of()));
            i++;
        }
        DatasetSpec spec = DatasetSpec.defaults();
        DatasetBuilder builder = new DatasetBuilder(spec, BUILTIN, new ExampleEncoder(spec, null), 100);
        DatasetBuilder.Formatted formatted = builder.format(records);
        assertThat(formatted.dropped()).isEmpty();
        for (String text : HostileText.corpus().values()) {
            assertThat(formatted.examples()).extracting(InstructionRecord::text).anySatisfy(t -> assertThat(t).contains(text));
        }
    }

    private static TemplateLibrary userLibrary(String jinja) {
        return TemplateLibrary.load(List.of("""
                families:
                  - family: user
                    applies_to: [user-task]
                    templates:
                      - id: user-01
                        jinja: %s
                """.formatted(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(jinja).toString())));
    }

    @Test
    void userTemplatesCannotLoadFiles() {
        for (String loading : List.of("{% include 'application.properties' %} ||| x", "{% import 'a' as b %} ||| x",
                "{% from 'a' import b %} ||| x", "{% extends 'base' %} ||| x")) {
            assertThatThrownBy(() -> userLibrary(loading)).as(loading)
                    .hasMessageContaining("is not allowed: templates cannot load or extend other templates");
        }
        assertThatThrownBy(() -> userLibrary("{{ unclosed ||| x")).hasMessageContaining("user-01 is not valid");
    }

    @Test
    void userTemplatesThatRunAwayAreStoppedForThatRecordOnly() {
        Map<String, String> runaway = Map.of(
                "iterations", "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}x ||| y",
                "string", "{{ instruction * 99999999 }} ||| y",
                "range", "{% for i in range(1000000000) %}{% endfor %}x ||| y",
                "recursion", "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }} ||| y");
        for (var template : runaway.entrySet()) {
            TaskTemplate t = userLibrary(template.getValue()).family("user").get(0);
            assertThatThrownBy(() -> RENDERER.render(t, new TemplateRenderer.Fields("some text", "", "out", List.of(), "user-task",
                    null))).as(template.getKey()).isInstanceOf(TemplateRenderer.RenderFailure.class)
                    .satisfies(e -> assertThat(((TemplateRenderer.RenderFailure) e).kind()).isEqualTo("limit"));
        }
    }

    @Test
    void aPhrasingThatFailsForOneRecordQuarantinesThatRecordAndSealsTheRest() {
        // a user template that divides by the length of the input: records with an empty input fail
        TemplateLibrary library = TemplateLibrary.load(List.of("""
                families:
                  - family: generic
                    applies_to: ["*"]
                    templates:
                      - id: ratio-01
                        jinja: "{{ instruction }} ({{ 100 // (input | length) }}%) ||| {{ output }}"
                """));
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            records.add(new RawRecord("%032x".formatted(2000 + i), "d", "b", i, "alpaca", "t", null, "en", "Task " + i,
                    i == 3 ? "" : "input " + i, "Output " + i, null, null, new Provenance("d", "b", "raw/x", "f.jsonl", i + 1),
                    Map.of()));
        }
        DatasetSpec spec = DatasetSpec.defaults();
        DatasetBuilder.Formatted formatted = new DatasetBuilder(spec, library, new ExampleEncoder(spec, null), 100)
                .format(records);
        assertThat(formatted.examples().stream().map(InstructionRecord::recordId).distinct()).hasSize(5);
        assertThat(formatted.dropped()).singleElement().satisfies(d -> {
            assertThat(d.line()).isEqualTo(4);
            assertThat(d.reason()).isEqualTo("template_type");
            assertThat(d.detail()).contains("ratio-01").contains("division");
        });
        assertThat(formatted.droppedByReason()).containsEntry("template_type", 1L);
    }
}
