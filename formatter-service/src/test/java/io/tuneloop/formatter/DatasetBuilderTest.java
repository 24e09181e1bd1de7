package io.tuneloop.formatter;

import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.formatter.dataset.ExampleEncoder;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.formatter.template.TemplateLibrary;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.tokenizer.TinyTokenizerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetBuilderTest {
    private static final TemplateLibrary LIBRARY = TemplateLibrary.load(List.of());
    @TempDir
    static Path tokenizerDir;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void tokenizer() {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            corpus.add(raw(i).instruction() + " " + raw(i).input() + " " + raw(i).output());
        }
        TinyTokenizerFactory.write(tokenizerDir, corpus, 300, 512);
        tokenizer = TextTokenizer.load(tokenizerDir);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    /** Records of 6 tasks; tasks 0-2 are classification (labels "yes"/"no"). */
    static RawRecord raw(int i) {
        String task = "task-" + (i % 6);
        boolean classification = i % 6 < 3;
        return new RawRecord("%032x".formatted(i * 7919L + 13), "d", "batch-1", i, "alpaca", task,
                classification ? "classification" : null, "en", "Decide about item " + i + " please.",
                i % 4 == 0 ? "" : "The item number " + i + " is here.", classification ? ((i / 6) % 2 == 0 ? "yes" : "no")
                : "Item " + i + " is fine.", null, classification,
                new Provenance("d", "batch-1", "raw/x", "data.jsonl", i + 1), Map.of());
    }

    static List<RawRecord> records(int n) {
        List<RawRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(raw(i));
        }
        return records;
    }

    private static DatasetBuilder builder(DatasetSpec spec, TextTokenizer tokenizer) {
        return new DatasetBuilder(spec, LIBRARY, new ExampleEncoder(spec, tokenizer), 17);
    }

    private static DatasetSpec spec(String json) {
        return io.tuneloop.events.EventJson.fromBytes(json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                DatasetSpec.class);
    }

    @Test
    void theSameRecordsInAnyOrderGiveByteIdenticalShards() {
        DatasetSpec spec = spec("""
                {"phrasingsPerRecord": 2, "fewShot": {"fraction": 0.3, "k": 2}, "heldOutTasks": ["task-5"],
                 "heldOutTemplates": ["generic-03", "classification-02"], "maxPerTask": 20,
                 "mixing": {"strategy": "temperature", "maxRate": 15, "temperature": 2.0},
                 "model": "tiny", "maxTokens": 256}""");
        List<RawRecord> shuffled = new ArrayList<>(records(120));
        Collections.shuffle(shuffled, new Random(3));
        shuffled.add(raw(7)); // a redelivered record

        DatasetBuilder.Built a = builder(spec, tokenizer).build(builder(spec, tokenizer).format(records(120)));
        DatasetBuilder.Built b = builder(spec, tokenizer).build(builder(spec, tokenizer).format(shuffled));
        assertThat(a.contentChecksum()).isEqualTo(b.contentChecksum());
        assertThat(a.shards()).hasSameSizeAs(b.shards());
        for (int i = 0; i < a.shards().size(); i++) {
            assertThat(a.shards().get(i).content()).isEqualTo(b.shards().get(i).content());
        }
        assertThat(a.splitCounts()).containsKeys(Splits.TRAIN, Splits.VALIDATION, Splits.HELDOUT_TASKS);
        assertThat(a.tokenStats().get(Splits.TRAIN).learnedTokens()).isPositive();
    }

    @Test
    void heldOutTasksAndPhrasingsNeverAppearInTraining() {
        DatasetSpec spec = spec("""
                {"heldOutTasks": ["task-4"], "heldOutTemplates": ["generic-01", "generic-02", "classification-01"],
                 "validationFraction": 0.3, "phrasingsPerRecord": 3, "fewShot": {"fraction": 0.5, "k": 1}}""");
        List<InstructionRecord> examples = builder(spec, null).format(records(300)).examples();
        Map<String, List<InstructionRecord>> bySplit = examples.stream().collect(Collectors.groupingBy(InstructionRecord::split));

        List<InstructionRecord> train = bySplit.get(Splits.TRAIN);
        assertThat(train).isNotEmpty();
        assertThat(train).noneMatch(e -> e.task().equals("task-4"));
        assertThat(train).noneMatch(e -> spec.heldOutTemplates().contains(e.templateId().replaceFirst("\\+fs\\d+$", "")));
        assertThat(bySplit.get(Splits.HELDOUT_TASKS)).isNotEmpty().allMatch(e -> e.task().equals("task-4"));
        assertThat(bySplit.get(Splits.HELDOUT_PHRASINGS)).isNotEmpty()
                .allMatch(e -> spec.heldOutTemplates().contains(e.templateId()));
        // a held-out phrasing is only ever applied to a validation record
        Set<String> validationRecords = bySplit.get(Splits.VALIDATION).stream().map(InstructionRecord::recordId)
                .collect(Collectors.toSet());
        assertThat(bySplit.get(Splits.HELDOUT_PHRASINGS)).allMatch(e -> validationRecords.contains(e.recordId()));
        // exemplars come from training records only: no validation instruction appears in a training prompt
        assertThat(train).anyMatch(e -> e.templateId().endsWith("+fs1"));
        Set<Integer> validationItems = bySplit.get(Splits.VALIDATION).stream()
                .map(e -> (int) e.line() - 1)
                .collect(Collectors.toSet());
        assertThat(validationItems).isNotEmpty();
        for (InstructionRecord t : train) {
            for (int item : validationItems) {
                if (t.line() - 1 != item) {
                    assertThat(t.prompt()).doesNotContain("item " + item + " please", "number " + item + " is here",
                            "Item " + item + " is fine");
                }
            }
        }
        // three phrasings per record, each a different template
        Map<String, Long> perRecord = train.stream().filter(e -> !e.templateId().contains("+fs"))
                .collect(Collectors.groupingBy(InstructionRecord::recordId, Collectors.counting()));
        assertThat(perRecord.values()).allMatch(n -> n <= 3);
        // options of classification tasks are rendered where the template asks for them
        assertThat(examples).filteredOn(e -> e.templateId().startsWith("classification-03"))
                .allMatch(e -> e.prompt().contains("Possible answers: no / yes"));
    }

    @Test
    void heldOutExamplesGetFewShotVariantsFromTheirOwnHeldOutTask() {
        DatasetSpec spec = spec("{\"heldOutTasks\": [\"task-4\"], \"heldOutFewShot\": 2, \"validationFraction\": 0.0}");
        List<InstructionRecord> examples = builder(spec, null).format(records(120)).examples();
        List<InstructionRecord> fewShot = examples.stream().filter(e -> e.templateId().endsWith("+fs2")).toList();
        assertThat(fewShot).isNotEmpty().allMatch(e -> e.split().equals(Splits.HELDOUT_TASKS) && e.task().equals("task-4"));
        // exemplars are other task-4 records: their lines are task-4 items (i % 6 == 4)
        for (InstructionRecord e : fewShot) {
            java.util.regex.Matcher items = java.util.regex.Pattern.compile("item (\\d+) please").matcher(e.prompt());
            int found = 0;
            while (items.find()) {
                assertThat(Integer.parseInt(items.group(1)) % 6).isEqualTo(4);
                found++;
            }
            assertThat(found).isGreaterThanOrEqualTo(1);
        }
        assertThat(examples).filteredOn(e -> e.split().equals(Splits.TRAIN)).noneMatch(e -> e.templateId().contains("+fs"));
    }

    @Test
    void perTaskCapsAndMixingRatesHold() {
        DatasetSpec capped = spec("{\"maxPerTask\": 10, \"validationFraction\": 0.0}");
        Map<String, Long> perTask = builder(capped, null).format(records(240)).examples().stream()
                .filter(e -> e.split().equals(Splits.TRAIN))
                .collect(Collectors.groupingBy(InstructionRecord::task, Collectors.counting()));
        assertThat(perTask).hasSize(6).allSatisfy((task, n) -> assertThat(n).isEqualTo(10));

        // unequal tasks: 0 has 200 records, 1 has 20
        List<RawRecord> unequal = new ArrayList<>();
        for (int i = 0; i < 220; i++) {
            RawRecord r = raw(i);
            unequal.add(new RawRecord(r.recordId(), "d", "b", i, "alpaca", i < 200 ? "big" : "small", null, "en",
                    r.instruction(), r.input(), "Item " + i + " is fine.", null, false, r.provenance(), Map.of()));
        }
        DatasetSpec proportional = spec("{\"validationFraction\": 0.0, \"mixing\": {\"strategy\": \"proportional\", \"maxRate\": 50}}");
        Map<String, Long> mixed = count(builder(proportional, null).format(unequal).examples());
        assertThat(mixed).containsEntry("big", 50L).containsEntry("small", 20L);

        DatasetSpec temperature = spec("{\"validationFraction\": 0.0, \"mixing\": {\"strategy\": \"temperature\", \"temperature\": 1000}}");
        List<InstructionRecord> flattened = builder(temperature, null).format(unequal).examples();
        Map<String, Long> flat = count(flattened);
        // a very high temperature weighs tasks equally: the 220 examples split ~110/110, small repeated
        assertThat(flat.get("big")).isBetween(105L, 115L);
        assertThat(flat.get("small")).isBetween(105L, 115L);
        assertThat(flattened.stream().map(InstructionRecord::id).distinct().count()).isEqualTo(flattened.size());
    }

    private static Map<String, Long> count(List<InstructionRecord> examples) {
        return examples.stream().filter(e -> e.split().equals(Splits.TRAIN))
                .collect(Collectors.groupingBy(InstructionRecord::task, Collectors.counting()));
    }

    @Test
    void lossSpansCoverExactlyTheResponseAndTheEndOfTurnToken() {
        for (String format : List.of("model", "chatml", "alpaca", "plain")) {
            DatasetSpec spec = spec("{\"model\": \"tiny\", \"chatFormat\": \"" + format + "\", \"systemPrompt\": \"Be brief.\"}");
            List<InstructionRecord> examples = builder(spec, tokenizer).format(records(30)).examples();
            assertThat(examples).isNotEmpty();
            for (InstructionRecord e : examples) {
                assertThat(e.lossSpans()).as(format).hasSize(1);
                int[] span = e.lossSpans().get(0);
                long[] learned = Arrays.stream(e.tokens(), span[0], span[1]).asLongStream().toArray();
                String expectedEnd = switch (format) {
                    case "chatml", "model" -> TinyTokenizerFactory.IM_END + "\n";
                    case "alpaca" -> TinyTokenizerFactory.IM_END + "\n\n";
                    default -> TinyTokenizerFactory.IM_END;
                };
                assertThat(tokenizer.decode(learned)).as(format).isEqualTo(e.response() + expectedEnd);
                // everything before the span is the prompt, and the prompt is not learned
                long[] context = Arrays.stream(e.tokens(), 0, span[0]).asLongStream().toArray();
                assertThat(tokenizer.decode(context)).as(format).contains(e.prompt()).doesNotContain(e.response() + TinyTokenizerFactory.IM_END);
                assertThat(tokenizer.decode(Arrays.stream(e.tokens()).asLongStream().toArray())).isEqualTo(e.text());
            }
        }
    }

    @Test
    void multiTurnConversationsLearnEveryAssistantTurnOnly() {
        RawRecord conversation = new RawRecord("%032x".formatted(99), "d", "b", 0, "sharegpt", null, null, null, null, null,
                null, List.of(new ChatMessage("user", "Hi there", null), new ChatMessage("assistant", "Hello!", null),
                new ChatMessage("user", "Tell me a fact", null), new ChatMessage("assistant", "Sky is green.", false),
                new ChatMessage("user", "A true one?", null), new ChatMessage("assistant", "Water is wet.", true)), null,
                new Provenance("d", "b", "raw/x", "c.jsonl", 1), Map.of());
        DatasetSpec spec = spec("{\"model\": \"tiny\", \"validationFraction\": 0.0}");
        InstructionRecord e = builder(spec, tokenizer).format(List.of(conversation)).examples().get(0);
        assertThat(e.templateId()).isEqualTo(DatasetBuilder.CONVERSATION_TEMPLATE);
        assertThat(e.lossSpans()).hasSize(2); // the turn with weight 0 is context, not learned
        assertThat(e.text()).contains("Sky is green.");
        List<String> learned = e.lossSpans().stream()
                .map(s -> tokenizer.decode(Arrays.stream(e.tokens(), s[0], s[1]).asLongStream().toArray())).toList();
        assertThat(learned).containsExactly("Hello!<|im_end|>\n", "Water is wet.<|im_end|>\n");
    }

    @Test
    void theModelsChatTemplateRendersTheReferenceText() {
        // the tiny tokenizer ships the ChatML template as Hugging Face models do; the reference text
        // below is what transformers' apply_chat_template produces for ChatML
        DatasetSpec spec = spec("{\"model\": \"tiny\", \"systemPrompt\": \"You are helpful.\", \"validationFraction\": 0.0}");
        RawRecord record = raw(4); // no input
        InstructionRecord e = builder(spec, tokenizer).format(List.of(record)).examples().get(0);
        assertThat(e.text()).isEqualTo("<|im_start|>system\nYou are helpful.<|im_end|>\n"
                + "<|im_start|>user\n" + e.prompt() + "<|im_end|>\n"
                + "<|im_start|>assistant\n" + e.response() + "<|im_end|>\n");
    }

    @Test
    void overLongExamplesAreTruncatedOrDroppedWithACountedReason() {
        DatasetSpec drop = spec("{\"model\": \"tiny\", \"maxTokens\": 12, \"truncation\": \"drop\"}");
        DatasetBuilder.Formatted dropped = builder(drop, tokenizer).format(records(20));
        assertThat(dropped.examples()).isEmpty();
        assertThat(dropped.droppedByReason()).containsEntry(ExampleEncoder.DROPPED_TOO_LONG, 20L);

        DatasetSpec cut = spec("{\"model\": \"tiny\", \"maxTokens\": 12}");
        DatasetBuilder.Formatted truncated = builder(cut, tokenizer).format(records(20));
        assertThat(truncated.droppedByReason()).containsEntry(ExampleEncoder.DROPPED_RESPONSE_TRUNCATED, 20L);

        DatasetSpec roomy = spec("{\"model\": \"tiny\", \"maxTokens\": 90}");
        DatasetBuilder.Formatted kept = builder(roomy, tokenizer).format(records(20));
        assertThat(kept.examples()).allMatch(e -> e.tokens().length <= 90 && e.learnedTokens() > 0);
    }

    @Test
    void shardsRoundTripAndSpecsAreValidated() {
        DatasetBuilder builder = builder(DatasetSpec.defaults(), null);
        DatasetBuilder.Built built = builder.build(builder.format(records(50)));
        List<InstructionRecord> back = new ArrayList<>();
        built.shards().forEach(s -> back.addAll(io.tuneloop.events.JsonLines.read(s.content(), InstructionRecord.class)));
        assertThat(back).hasSize((int) built.recordCount());
        assertThat(back.get(0).text()).startsWith(back.get(0).prompt().isEmpty() ? "" : "### Instruction:\n");

        assertThatThrownBy(() -> spec("{\"chatFormat\": \"model\"}")).hasMessageContaining("needs a model");
        assertThatThrownBy(() -> spec("{\"mixing\": {\"strategy\": \"random\"}}")).hasMessageContaining("mixing.strategy");
        assertThatThrownBy(() -> builder(spec("{\"heldOutTemplates\": [\"nope\"]}"), null))
                .hasMessageContaining("nope");
    }

    @Test
    void usersAddAndReplaceTemplateFamiliesInYaml() {
        TemplateLibrary library = TemplateLibrary.load(List.of("""
                families:
                  - family: classification
                    applies_to: [classification]
                    templates:
                      - id: my-classify
                        jinja: "Label it: {{ input }} ||| {{ output }}"
                """));
        assertThat(library.family("classification")).extracting(t -> t.id()).containsExactly("my-classify");
        assertThat(library.family("generic")).hasSize(10);
        assertThat(library.familyOf("classification", "x")).isEqualTo("classification");
        assertThat(library.familyOf(null, "summarize")).isEqualTo("summarization");
        assertThat(library.familyOf(null, "anything")).isEqualTo("generic");
        assertThatThrownBy(() -> TemplateLibrary.load(List.of("families: [{family: x, applies_to: [y], templates: "
                + "[{id: bad, jinja: no separator}]}]"))).hasMessageContaining("|||");
    }
}
