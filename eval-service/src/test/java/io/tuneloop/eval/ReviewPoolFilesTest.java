package io.tuneloop.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tuneloop.eval.flow.HeldOutSuite;
import io.tuneloop.eval.flow.ReviewPool;
import io.tuneloop.eval.flow.SuiteRunner;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.model.TinyModelFactory;
import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.Message;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.tokenizer.TextTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Prompt files in review-pools/<dataset>/ are put up for review next to the version's review split. */
class ReviewPoolFilesTest {
    @TempDir
    Path dir;

    private static byte[] lines(String... lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPoolFileIsReadWithIdsAndRefusedByLineWhenALineIsNotAPrompt() {
        List<ReviewPool.FilePrompt> prompts = ReviewPool.read("traffic", lines(
                "{\"prompt\": \"Name the capital of Peru.\", \"task\": \"capital\", \"reference\": \"Lima\"}",
                "{\"id\": \"q-7\", \"prompt\": \"Which number is the smallest? 4 2 9\"}"));
        assertThat(prompts).extracting(ReviewPool.FilePrompt::id).containsExactly("traffic:1", "traffic:q-7");
        assertThat(prompts.get(1).task()).isEqualTo("unknown");
        assertThat(prompts.get(0).reference()).isEqualTo("Lima");

        assertThatThrownBy(() -> ReviewPool.read("bad", lines("{\"prompt\": \"a\"}", "{\"task\": \"x\"}")))
                .hasMessageContaining("line 2").hasMessageContaining("prompt");
        assertThatThrownBy(() -> ReviewPool.read("bad", lines("{\"prompt\": \"a\", \"answer\": \"b\"}")))
                .hasMessageContaining("answer");
        assertThatThrownBy(() -> ReviewPool.read("dup", lines("{\"id\": \"a\", \"prompt\": \"x\"}", "{\"id\": \"a\", \"prompt\": \"y\"}")))
                .hasMessageContaining("repeats id dup:a");
    }

    @Test
    void filePromptsComeFirstInTheModelsChatFormatAndEachIsAnsweredTwiceWithoutAScore() {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            corpus.add("What colour is item " + i + "? " + ColourExamples.COLOURS[i % 4]);
        }
        TinyModelFactory.write(dir, TinyModelFactory.Spec.llama(), corpus, 11);
        try (NDManager root = NDManager.newBaseManager(Device.cpu()); TextTokenizer tokenizer = TextTokenizer.load(dir);
             DecoderModel model = Models.load(dir, root, Device.cpu())) {
            List<InstructionRecord> split = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                split.add(ColourExamples.example(tokenizer, i, "review", "What colour is item " + i + "?"));
            }
            List<ReviewPool.FilePrompt> files = ReviewPool.read("traffic", lines(
                    "{\"prompt\": \"What colour is item 40?\", \"task\": \"colours\"}",
                    "{\"prompt\": \"What colour is item 41?\", \"task\": \"colours\", \"reference\": \"red\"}"));

            List<HeldOutSuite.Prompt> prompts = ReviewPool.prompts(split, files, tokenizer, 4);
            assertThat(prompts).extracting(HeldOutSuite.Prompt::id).startsWith("traffic:1", "traffic:2").hasSize(4);
            ChatTemplate chat = ChatTemplate.ofModel(tokenizer).orElseThrow();
            assertThat(prompts.get(0).promptTokens()).containsExactly(tokenizer.encode(
                    chat.render(List.of(Message.user("What colour is item 40?")), true), chat.encodesSpecialTokens()));
            assertThat(prompts.get(0).promptText()).isEqualTo("What colour is item 40?");
            assertThat(ReviewPool.prompts(split, files, tokenizer, 1)).hasSize(1);
            assertThat(ReviewPool.prompts(split, List.of(), tokenizer, 10)).hasSize(3);

            List<SuiteRunner.PromptResult> answers = ReviewPool.answer(model, tokenizer,
                    Set.of((long) tokenizer.eosId().orElseThrow()), prompts.subList(0, 2),
                    new ReviewPool.Settings(2, 1.0, 1.0), 4, 4, "run/shard-0", root);
            assertThat(answers).extracting(SuiteRunner.PromptResult::promptId)
                    .containsExactly("traffic:1#1", "traffic:1#2", "traffic:2#1", "traffic:2#2");
            assertThat(answers).allMatch(a -> a.suite().equals(ReviewPool.SUITE) && a.scores().isEmpty());
            assertThat(answers.get(0).reference()).isNull();
            assertThat(answers.get(2).reference()).isEqualTo("red");
            assertThat(answers.get(0).task()).isEqualTo("colours");
        }
    }
}
