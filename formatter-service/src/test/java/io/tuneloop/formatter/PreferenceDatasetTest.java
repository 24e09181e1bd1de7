package io.tuneloop.formatter;

import io.tuneloop.events.JsonLines;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.PreferenceExample;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.Preference;
import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.formatter.dataset.ExampleEncoder;
import io.tuneloop.formatter.template.TemplateLibrary;
import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.Message;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.tokenizer.TinyTokenizerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Preference records become a version's {@code preferences} split: each answer rendered after its
 * prompt with the chat format and tokenized as one whole sequence, learned on the answer only; a
 * rejected or undesirable answer never appears in any SFT split; what no run can train on (unary
 * labels, pairs of held-out tasks) is left out by name.
 */
class PreferenceDatasetTest {
    @TempDir
    static Path tokenizerDir;
    private static TextTokenizer tokenizer;

    private static final String REJECTED = "The capital of France is Lyon, a city of silk.";
    private static final String UNDESIRABLE = "Rain rain go away, never come back today.";

    @BeforeAll
    static void tokenizer() {
        TinyTokenizerFactory.write(tokenizerDir, List.of("What is the capital of France? Paris. Lyon, a city of silk."
                + " Who wrote Pride and Prejudice? Jane Austen. Elaborate on its norms. It portrays the landed gentry."
                + " It is a book. Write a haiku about rain. Rain rain go away, never come back today."), 200, 512);
        tokenizer = TextTokenizer.load(tokenizerDir);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static RawRecord preference(String id, String task, List<ChatMessage> prompt, Preference preference) {
        return new RawRecord("%032x".formatted(id.hashCode() & 0xffffffffL), "d", "batch-1", 0, "sharegpt-preference",
                task, null, "en", null, null, null, prompt, null, new Provenance("d", "batch-1", "raw/x", "prefs.json", 1),
                Map.of(), null, preference);
    }

    private static ChatMessage user(String text) {
        return new ChatMessage("user", text, null);
    }

    private static ChatMessage assistant(String text) {
        return new ChatMessage("assistant", text, null);
    }

    private static List<RawRecord> records() {
        List<RawRecord> records = new ArrayList<>();
        records.add(preference("single", "geography", List.of(user("Which city is the capital of France?")),
                Preference.pair(List.of(assistant("The capital of France is Paris.")), List.of(assistant(REJECTED)))));
        records.add(preference("multi", "books", List.of(user("Who wrote Pride and Prejudice?"), assistant("Jane Austen."),
                user("Elaborate on its norms.")), Preference.pair(List.of(assistant("It portrays the landed gentry.")),
                List.of(assistant("It is a book.")))));
        records.add(preference("heldout", "secret", List.of(user("Which city is the capital of France?")),
                Preference.pair(List.of(assistant("Paris.")), List.of(assistant("Lyon.")))));
        records.add(preference("unary", "poems", List.of(user("Write a haiku about rain.")),
                Preference.unary(List.of(assistant(UNDESIRABLE)), false)));
        records.add(DatasetBuilderTest.raw(1));
        records.add(DatasetBuilderTest.raw(2));
        return records;
    }

    private static DatasetSpec spec() {
        return io.tuneloop.events.EventJson.fromBytes("""
                {"chatFormat": "chatml", "model": "m", "heldOutTasks": ["secret"], "validationFraction": 0}"""
                .getBytes(StandardCharsets.UTF_8), DatasetSpec.class);
    }

    @Test
    void pairsAreSealedAsTokenizedPromptChosenAndRejectedAndNeverAsSftText() {
        DatasetSpec spec = spec();
        DatasetBuilder builder = new DatasetBuilder(spec, TemplateLibrary.load(List.of()), new ExampleEncoder(spec, tokenizer), 50);
        DatasetBuilder.Built built = builder.build(builder.format(records()));

        assertThat(built.splitCounts()).containsEntry(Splits.PREFERENCES, 2L);
        assertThat(built.droppedByReason()).containsEntry(DatasetBuilder.DROPPED_UNARY_FEEDBACK, 1L)
                .containsEntry(DatasetBuilder.DROPPED_PREFERENCE_HELDOUT, 1L);
        assertThat(built.dropped()).extracting(DatasetBuilder.Dropped::detail)
                .anyMatch(d -> d.contains("labelled undesirable")).anyMatch(d -> d.contains("task secret is held out"));

        List<PreferenceExample> pairs = new ArrayList<>();
        List<InstructionRecord> sft = new ArrayList<>();
        StringBuilder sftText = new StringBuilder();
        for (DatasetBuilder.Shard shard : built.shards()) {
            if (shard.entry().split().equals(Splits.PREFERENCES)) {
                assertThat(shard.entry().name()).startsWith("preferences-");
                pairs.addAll(JsonLines.read(shard.content(), PreferenceExample.class));
            } else {
                sft.addAll(JsonLines.read(shard.content(), InstructionRecord.class));
                sftText.append(new String(shard.content(), StandardCharsets.UTF_8));
            }
        }
        assertThat(sft).hasSize(2).allSatisfy(e -> assertThat(e.templateId()).isNotEqualTo(DatasetBuilder.PREFERENCE_TEMPLATE));
        assertThat(sftText.toString()).doesNotContain(REJECTED).doesNotContain(UNDESIRABLE).doesNotContain("landed gentry");

        PreferenceExample multi = pairs.stream().filter(p -> p.task().equals("books")).findFirst().orElseThrow();
        ChatTemplate chatml = ChatTemplate.chatml();
        List<Message> chosenConversation = List.of(Message.user("Who wrote Pride and Prejudice?"),
                Message.assistant("Jane Austen."), Message.user("Elaborate on its norms."),
                Message.assistant("It portrays the landed gentry."));
        assertThat(multi.chosen().text()).isEqualTo(chatml.render(chosenConversation, false));
        assertThat(multi.rejected().text()).endsWith("<|im_start|>assistant\nIt is a book.<|im_end|>\n");
        for (PreferenceExample.Answer answer : List.of(multi.chosen(), multi.rejected())) {
            // one whole sequence, tokenized as the tokenizer encodes the text (the post-processor's tokens included,
            // as for every built-in format)
            assertThat(answer.tokens()).containsExactly(toInts(tokenizer.encode(answer.text(), true)));
        }
        assertThat(learned(multi.chosen())).isEqualTo("It portrays the landed gentry.<|im_end|>\n");
        assertThat(learned(multi.rejected())).isEqualTo("It is a book.<|im_end|>\n");
        assertThat(multi.prompt()).extracting(ChatMessage::content)
                .containsExactly("Who wrote Pride and Prejudice?", "Jane Austen.", "Elaborate on its norms.");

        // the same inputs seal the same bytes
        assertThat(builder.build(builder.format(records())).contentChecksum()).isEqualTo(built.contentChecksum());
    }

    private static String learned(PreferenceExample.Answer answer) {
        StringBuilder text = new StringBuilder();
        for (int[] span : answer.lossSpans()) {
            long[] ids = new long[span[1] - span[0]];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = answer.tokens()[span[0] + i];
            }
            text.append(tokenizer.decode(ids));
        }
        return text.toString();
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }
}
