package io.tuneloop.formatter;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.EvalPrompts;
import io.tuneloop.events.dataset.EvalPrompts.EvalPrompt;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.Preference;
import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.formatter.dataset.Decontamination;
import io.tuneloop.formatter.dataset.ExampleEncoder;
import io.tuneloop.formatter.template.TemplateLibrary;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * No eval prompt becomes training data unseen: a training example or pair sharing a normalised
 * 13-gram with an eval prompt (or holding a whole short prompt) is dropped, refuses the version, or
 * is reported, as the spec says; every version's manifest records what it was checked against.
 */
class DecontaminationTest {
    private static final String LONG_PROMPT = "Write a detailed letter to the city council explaining why the old"
            + " harbor lighthouse should be restored, in at least three paragraphs.";
    private static final Decontamination SUITES = new Decontamination(List.of(
            new EvalPrompt("letters", "l-1", LONG_PROMPT),
            new EvalPrompt("math", "m-1", "What is 17 plus 25?"),
            new EvalPrompt("tiny", "t-1", "Say hi.")));

    @Test
    void aThirteenGramOfNormalisedWordsOrAWholeShortPromptIsAnOverlap() {
        // case, punctuation and spacing are folded; 13 consecutive words of the prompt suffice
        assertThat(SUITES.match("Task: WRITE a detailed letter -- to the city council, explaining why the OLD harbor"
                + " building matters.")).hasValueSatisfying(m -> {
                    assertThat(m.prompt().id()).isEqualTo("l-1");
                    assertThat(m.words()).isEqualTo("write a detailed letter to the city council explaining why the old harbor");
                });
        // twelve shared words are not thirteen
        assertThat(SUITES.match("write a detailed letter to the city council explaining why the old")).isEmpty();
        // a prompt shorter than 13 words counts when it is there whole
        assertThat(SUITES.match("Q: what is 17 plus 25? A: 42")).hasValueSatisfying(m -> assertThat(m.prompt().id())
                .isEqualTo("m-1"));
        assertThat(SUITES.match("what is 17 plus 26")).isEmpty();
        // one under five words is not checked: it would match ordinary text
        assertThat(SUITES.match("Say hi. Then leave.")).isEmpty();
    }

    @Test
    void theBundledSuitesAreCheckedByDefault() {
        List<EvalPrompt> bundled = EvalPrompts.bundled();
        assertThat(bundled).extracting(EvalPrompt::suite).contains("general", "ifeval");
        EvalPrompt first = bundled.get(0);
        assertThat(new Decontamination(bundled).match("Here is a question. " + first.prompt())).isPresent();
    }

    private static RawRecord alpaca(String id, String instruction, String output) {
        return new RawRecord("%032x".formatted(id.hashCode() & 0xffffffffL), "d", "b", 0, "alpaca", "t", null, "en",
                instruction, null, output, null, false, new Provenance("d", "b", "raw/x", "data.jsonl", 3), Map.of());
    }

    private static List<RawRecord> records() {
        List<RawRecord> records = new ArrayList<>();
        records.add(alpaca("clean", "Name a colour of the sea.", "Blue."));
        records.add(alpaca("leak", "Please answer: what is 17 plus 25?", "42"));
        records.add(new RawRecord("%032x".formatted(7), "d", "b", 1, "trl-preference", "t", null, "en", null, null, null,
                List.of(new ChatMessage("user", LONG_PROMPT, null)), null, new Provenance("d", "b", "raw/x", "p.jsonl", 9),
                Map.of(), null, Preference.pair(List.of(new ChatMessage("assistant", "Dear council, ...", null)),
                List.of(new ChatMessage("assistant", "No.", null)))));
        return records;
    }

    private static DatasetBuilder builder(String policy) {
        DatasetSpec spec = io.tuneloop.events.EventJson.fromBytes(("{\"validationFraction\": 0, \"contamination\": \""
                + policy + "\"}").getBytes(StandardCharsets.UTF_8), DatasetSpec.class);
        return new DatasetBuilder(spec, TemplateLibrary.load(List.of()), new ExampleEncoder(spec, null), 50, SUITES);
    }

    @Test
    void contaminatedExamplesAndPairsAreDroppedByDefaultAndTheManifestSaysSo() {
        DatasetBuilder drop = builder("drop");
        DatasetBuilder.Built built = drop.build(drop.format(records()));
        DatasetManifest.Contamination report = built.contamination();
        assertThat(report.checked()).isEqualTo(3);
        assertThat(report.contaminated()).isEqualTo(2);
        assertThat(report.dropped()).isEqualTo(2);
        assertThat(report.remaining()).isZero();
        assertThat(report.bySuite()).containsEntry("math", 1L).containsEntry("letters", 1L);
        assertThat(report.suites()).hasSize(3).allMatch(s -> s.matches("[a-z]+@[0-9a-f]{12}"));
        assertThat(report.promptsTooShort()).isEqualTo(1);
        assertThat(built.splitCounts()).containsEntry("train", 1L).doesNotContainKey("preferences");
        assertThat(built.droppedByReason()).containsEntry(DatasetBuilder.DROPPED_CONTAMINATED, 2L);
        assertThat(built.dropped()).filteredOn(d -> d.reason().equals(DatasetBuilder.DROPPED_CONTAMINATED))
                .extracting(DatasetBuilder.Dropped::detail)
                .anyMatch(d -> d.contains("prompt m-1 of eval suite math")).anyMatch(d -> d.contains("prompt l-1"));
    }

    @Test
    void refuseFailsTheVersionWithTheOverlapsAndReportKeepsThem() {
        DatasetBuilder refuse = builder("refuse");
        assertThatThrownBy(() -> refuse.build(refuse.format(records())))
                .isInstanceOf(DatasetBuilder.ContaminatedVersionException.class)
                .hasMessageContaining("2 training examples or pairs overlap eval prompts")
                .hasMessageContaining("data.jsonl line 3");
        DatasetBuilder report = builder("report");
        DatasetBuilder.Built kept = report.build(report.format(records()));
        assertThat(kept.contamination().remaining()).isEqualTo(2);
        assertThat(kept.splitCounts()).containsEntry("train", 2L).containsEntry("preferences", 1L);
        assertThatThrownBy(() -> builder("ignore")).hasMessageContaining("contamination must be drop, refuse or report");
    }
}
