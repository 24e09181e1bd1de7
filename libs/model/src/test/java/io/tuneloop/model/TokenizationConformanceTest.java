package io.tuneloop.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.Message;
import io.tuneloop.model.chat.Segment;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.tokenizer.TinyTokenizerFactory;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.oracles.Oracle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokenization as Hugging Face does it, on three tokenizer.json files made in code: byte-level BPE
 * (GPT-2 / Qwen layout), and SentencePiece-style BPE with byte fallback in its legacy (Prepend +
 * Replace normalizer, Llama-2 / TinyLlama) and Metaspace layouts. The ids must equal
 * {@code @huggingface/transformers}' (transformers.js, an independent implementation), and a
 * training example's ids must equal encoding its whole text once.
 */
class TokenizationConformanceTest {
    private static final List<String> CORPUS = List.of("Hello world, hello there.", "The answer is four.",
            "What is the capital of France? Paris is the capital of France.", "Say hello to the world in French.",
            "Bonjour le monde", "one two three four five six seven eight nine ten");
    private static final List<String> TEXTS = List.of("Hello world", " world", "  Hello", "\n", "Hi 😀!",
            "Hello</s> world", "<s>[INST] What is 2+2? [/INST] 4 </s>", "tab\there", "ünïcödé ñ", "multi\n\nline  spaces ",
            "{{ 7*7 }} {% include 'x' %}", "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", "a", "",
            "   ", "The capital of France is Paris.", "日本語のテキスト", "x\u2028y\u00a0z", "end with space ");

    @TempDir
    static Path dir;
    private static Map<String, Path> tokenizers;

    @BeforeAll
    static void makeTokenizers() {
        tokenizers = new LinkedHashMap<>();
        tokenizers.put("bytelevel", dir.resolve("bytelevel"));
        TinyTokenizerFactory.write(tokenizers.get("bytelevel"), CORPUS, 60, 256);
        tokenizers.put("sentencepiece-legacy", dir.resolve("sp-legacy"));
        TinyTokenizerFactory.writeSentencePiece(tokenizers.get("sentencepiece-legacy"), CORPUS, 60, true);
        tokenizers.put("sentencepiece-metaspace", dir.resolve("sp-metaspace"));
        TinyTokenizerFactory.writeSentencePiece(tokenizers.get("sentencepiece-metaspace"), CORPUS, 60, false);
    }

    @Test
    void idsEqualTransformersJsWithAndWithoutSpecialTokens() {
        Oracle transformersJs = Oracle.node("hf_tokenize.mjs", "@huggingface/transformers");
        List<Map<String, Object>> cases = new ArrayList<>();
        List<long[]> ours = new ArrayList<>();
        for (var entry : tokenizers.entrySet()) {
            try (TextTokenizer tokenizer = TextTokenizer.load(entry.getValue())) {
                for (String text : TEXTS) {
                    for (boolean special : new boolean[]{false, true}) {
                        Map<String, Object> c = new LinkedHashMap<>();
                        c.put("id", entry.getKey() + "/" + cases.size());
                        c.put("tokenizer_json", entry.getValue().resolve(TextTokenizer.TOKENIZER_JSON).toString());
                        c.put("tokenizer_config", entry.getValue().resolve(TextTokenizer.TOKENIZER_CONFIG).toString());
                        c.put("text", text);
                        c.put("add_special_tokens", special);
                        cases.add(c);
                        ours.add(tokenizer.encode(text, special));
                    }
                }
            }
        }
        JsonNode reference = transformersJs.run(Map.of("cases", cases));
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            long[] expected = new long[reference.get(i).get("ids").size()];
            for (int j = 0; j < expected.length; j++) {
                expected[j] = reference.get(i).get("ids").get(j).asLong();
            }
            if (!Arrays.equals(expected, ours.get(i))) {
                differences.add(cases.get(i).get("id") + " " + cases.get(i).get("text") + ": transformers.js "
                        + Arrays.toString(expected) + ", ours " + Arrays.toString(ours.get(i)));
            }
        }
        System.out.printf("%d encodings compared with transformers.js, %d differ%n", cases.size(), differences.size());
        assertThat(differences).isEmpty();
    }

    @Test
    void aTrainingExampleIsItsWholeTextEncodedOnceAndTheMaskCoversTheAnswer() {
        for (var entry : tokenizers.entrySet()) {
            try (TextTokenizer tokenizer = TextTokenizer.load(entry.getValue())) {
                ChatTemplate template = ChatTemplate.ofModel(tokenizer).orElseThrow();
                List<Message> chat = List.of(Message.user("What is the capital of France?"),
                        Message.assistant("Paris is the capital."), Message.user("And of Japan?"),
                        Message.assistant("Tokyo 😀."));
                List<Segment> segments = template.renderForTraining(chat);
                String text = String.join("", segments.stream().map(Segment::text).toList());
                SftExample example = SftExample.tokenize(segments, tokenizer, 10_000, false);
                assertThat(example.tokens()).as(entry.getKey()).containsExactly(tokenizer.encode(text, false));

                // the learned tokens are exactly the two answers with their end-of-turn markup
                List<String> runs = new ArrayList<>();
                for (int i = 0; i < example.length(); i++) {
                    if (example.trained()[i]) {
                        int end = i;
                        while (end < example.length() && example.trained()[end]) {
                            end++;
                        }
                        runs.add(tokenizer.decode(Arrays.copyOfRange(example.tokens(), i, end)));
                        i = end;
                    }
                }
                List<String> answers = segments.stream().filter(Segment::trained).map(Segment::text).toList();
                assertThat(runs.stream().map(TokenizationConformanceTest::normalize).toList()).as(entry.getKey())
                        .isEqualTo(answers.stream().map(TokenizationConformanceTest::normalize).toList());
            }
        }
    }

    @Test
    void encodingSegmentsSeparatelyWouldAddSentencePieceMarkersHfNeverProduces() {
        try (TextTokenizer tokenizer = TextTokenizer.load(tokenizers.get("sentencepiece-legacy"))) {
            long[] whole = tokenizer.encode("[INST] Hi [/INST] Hello world");
            long[] pieces = concat(tokenizer.encode("[INST] Hi [/INST]"), tokenizer.encode(" Hello world"));
            assertThat(pieces).isNotEqualTo(whole); // each piece gets its own leading ▁: the old, wrong way
            SftExample example = SftExample.tokenize(List.of(new Segment("[INST] Hi [/INST]", false),
                    new Segment(" Hello world", true)), tokenizer, 100, false);
            assertThat(example.tokens()).containsExactly(whole);
            assertThat(example.learnedTokens()).isPositive();
        }
    }

    @Test
    void builtInFormatsGetTheBosThePostProcessorAdds() {
        try (TextTokenizer tokenizer = TextTokenizer.load(tokenizers.get("sentencepiece-metaspace"))) {
            tokenizer.requireConsistentSpecialTokens(); // add_bos_token true and a TemplateProcessing that adds <s>
            SftExample example = SftExample.tokenize(List.of(new Segment("Q: hi\n", false), new Segment("A: yes", true)),
                    tokenizer, 100, true);
            assertThat(example.tokens()[0]).isEqualTo(tokenizer.bosId().orElseThrow());
            assertThat(example.trained()[0]).isFalse();
        }
    }

    /** Decoders turn SentencePiece's ▁ into spaces and strip a leading one; compare modulo spacing. */
    private static String normalize(String s) {
        return s.replace("\u2581", " ").replaceAll("\\s+", " ").strip();
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
