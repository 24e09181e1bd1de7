package io.tuneloop.model;

import io.tuneloop.model.tokenizer.ByteLevelBpe;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.tokenizer.TinyTokenizerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TokenizerTest {
    private static final List<String> CORPUS = Collections.nCopies(20,
            "Below is an instruction that describes a task. Write a response that appropriately completes the request.");

    @TempDir
    static Path dir;
    private static ByteLevelBpe.Trained trained;

    @BeforeAll
    static void write() {
        trained = TinyTokenizerFactory.write(dir, CORPUS, 200, 512);
    }

    @Test
    void anyTextRoundTripsThroughTheHuggingFaceLibrary() {
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            for (String text : List.of("Write a response.", "  spaces\tand\nnewlines  ", "café 日本語 🙂", "")) {
                long[] ids = tokenizer.encode(text);
                assertThat(tokenizer.decode(ids)).isEqualTo(text);
                assertThat(java.util.Arrays.stream(ids).allMatch(id -> id >= 0 && id < tokenizer.vocabSize())).isTrue();
            }
        }
    }

    @Test
    void learnedMergesMakeCorpusTextShorterThanItsBytes() {
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            String text = CORPUS.get(0);
            assertThat(tokenizer.encode(text).length).isLessThan(text.length() / 3);
            assertThat(trained.merges()).isNotEmpty();
        }
    }

    @Test
    void specialTokensAreSingleIdsAndPadIsNotEos() {
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            long[] ids = tokenizer.encode("<|im_start|>user\nhi<|im_end|>");
            assertThat(ids[0]).isEqualTo(trained.idOf(TinyTokenizerFactory.IM_START));
            assertThat(ids[ids.length - 1]).isEqualTo(trained.idOf(TinyTokenizerFactory.IM_END));
            assertThat(tokenizer.eosId()).hasValue(trained.idOf(TinyTokenizerFactory.IM_END));
            assertThat(tokenizer.padId()).hasValue(trained.idOf(TinyTokenizerFactory.PAD));
            assertThat(tokenizer.padId()).isNotEqualTo(tokenizer.eosId());
            assertThat(tokenizer.vocabSize()).isEqualTo(trained.vocabSize());
            assertThat(tokenizer.chatTemplate()).hasValue(TinyTokenizerFactory.CHATML_TEMPLATE);
            assertThat(tokenizer.decodeSkippingSpecial(ids)).isEqualTo("user\nhi");
        }
    }

    @Test
    void trainingIsDeterministic() {
        ByteLevelBpe.Trained again = ByteLevelBpe.train(CORPUS, 200, TinyTokenizerFactory.SPECIAL_TOKENS);
        assertThat(again.toJson()).isEqualTo(trained.toJson());
    }
}
