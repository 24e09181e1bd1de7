package io.tuneloop.trainer;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.model.TinyModelFactory;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.tokenizer.TinyTokenizerFactory;
import io.tuneloop.store.Sha256;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A tiny model and a tokenized dataset version made in code, for trainer tests. */
public final class TinyRuns {
    static final String[] ANSWERS = {"red", "blue", "green", "yellow"};

    private TinyRuns() {
    }

    public static List<String> corpus() {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            corpus.add("What colour is item " + i + "? " + ANSWERS[i % ANSWERS.length]);
        }
        return corpus;
    }

    /** Writes a tiny Llama-family model (with tokenizer and ChatML template) into {@code dir}. */
    public static void model(Path dir) {
        TinyModelFactory.write(dir, TinyModelFactory.Spec.llama(), corpus(), 7);
    }

    /** JSON Lines of ChatML examples "What colour is item i?" → answer, tokenized with the model's tokenizer. */
    public static byte[] shard(Path modelDir, String split, int from, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TextTokenizer tokenizer = TextTokenizer.load(modelDir)) {
            for (int i = from; i < from + count; i++) {
                String prompt = TinyTokenizerFactory.IM_START + "user\nWhat colour is item " + i + "?"
                        + TinyTokenizerFactory.IM_END + "\n" + TinyTokenizerFactory.IM_START + "assistant\n";
                String response = ANSWERS[i % ANSWERS.length] + TinyTokenizerFactory.IM_END + "\n";
                long[] p = tokenizer.encode(prompt);
                int[] tokens = concat(p, tokenizer.encode(response));
                InstructionRecord record = new InstructionRecord("%032x:t".formatted(i), "%032x".formatted(i), "colours", null,
                        "t", "en", split, "What colour is item " + i + "?", ANSWERS[i % ANSWERS.length], null,
                        prompt + response, tokens, List.<int[]>of(new int[] {p.length, tokens.length}), "c.jsonl", i + 1);
                out.writeBytes(EventJson.toBytes(record));
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    /**
     * JSON Lines of preference pairs "What colour is item i?": the right colour chosen, the next one
     * rejected, tokenized with the model's tokenizer as the formatter seals them.
     */
    public static byte[] preferenceShard(Path modelDir, int from, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TextTokenizer tokenizer = TextTokenizer.load(modelDir)) {
            for (int i = from; i < from + count; i++) {
                String prompt = TinyTokenizerFactory.IM_START + "user\nWhat colour is item " + i + "?"
                        + TinyTokenizerFactory.IM_END + "\n" + TinyTokenizerFactory.IM_START + "assistant\n";
                io.tuneloop.events.dataset.PreferenceExample.Answer chosen = answer(tokenizer, prompt,
                        ANSWERS[i % ANSWERS.length]);
                io.tuneloop.events.dataset.PreferenceExample.Answer rejected = answer(tokenizer, prompt,
                        ANSWERS[(i + 1) % ANSWERS.length]);
                var pair = new io.tuneloop.events.dataset.PreferenceExample("%032x:pair".formatted(i), "%032x".formatted(i),
                        "colours", "en", List.of(new io.tuneloop.events.payload.ChatMessage("user",
                        "What colour is item " + i + "?", null)), chosen, rejected, "p.jsonl", i + 1, null);
                out.writeBytes(EventJson.toBytes(pair));
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    private static io.tuneloop.events.dataset.PreferenceExample.Answer answer(TextTokenizer tokenizer, String prompt,
                                                                             String colour) {
        String response = colour + TinyTokenizerFactory.IM_END + "\n";
        long[] p = tokenizer.encode(prompt);
        int[] tokens = concat(p, tokenizer.encode(response));
        return new io.tuneloop.events.dataset.PreferenceExample.Answer(List.of(new io.tuneloop.events.payload.ChatMessage(
                "assistant", colour, null)), prompt + response, tokens, List.<int[]>of(new int[] {p.length, tokens.length}));
    }

    /** The prompt's tokens, then the response's, as a shard stores them. */
    private static int[] concat(long[] prompt, long[] response) {
        int[] tokens = new int[prompt.length + response.length];
        for (int t = 0; t < prompt.length; t++) {
            tokens[t] = (int) prompt[t];
        }
        for (int t = 0; t < response.length; t++) {
            tokens[prompt.length + t] = (int) response[t];
        }
        return tokens;
    }

    /**
     * Loads the model exported in {@code modelDir} with its tokenizer and answers "What colour is
     * item {@code item}?" greedily: what a user of the exported model would do first.
     */
    public static long[] answer(Path modelDir, int item, int maxTokens) {
        try (ai.djl.ndarray.NDManager root = ai.djl.ndarray.NDManager.newBaseManager(ai.djl.Device.cpu());
             io.tuneloop.model.nn.DecoderModel model = io.tuneloop.model.nn.Models.load(modelDir, root, ai.djl.Device.cpu());
             TextTokenizer tokenizer = TextTokenizer.load(modelDir)) {
            long[] prompt = tokenizer.encode(TinyTokenizerFactory.IM_START + "user\nWhat colour is item " + item + "?"
                    + TinyTokenizerFactory.IM_END + "\n" + TinyTokenizerFactory.IM_START + "assistant\n");
            return io.tuneloop.model.generate.Generator.generate(model, List.of(prompt),
                    io.tuneloop.model.generate.GenerationConfig.greedy(maxTokens,
                            java.util.Set.of((long) tokenizer.eosId().orElse(0))), tokenizer::decode, root).get(0);
        }
    }

    public static DatasetManifest manifest(String dataset, int version, String model, byte[] train, byte[] validation,
                                    long trainCount, long validationCount) {
        DatasetSpec spec = EventJson.fromBytes(("{\"model\": \"" + model + "\", \"maxTokens\": 64}").getBytes(), DatasetSpec.class);
        return new DatasetManifest(dataset, version, 0, spec, "test", List.of("b"), trainCount + validationCount,
                Map.of("train", trainCount, "validation", validationCount), Map.of("colours", trainCount + validationCount),
                Map.of("t", trainCount + validationCount), Map.of(), Map.of(),
                List.of(new DatasetManifest.ShardEntry("train-00000.jsonl", "train", trainCount, Sha256.hex(train), train.length),
                        new DatasetManifest.ShardEntry("validation-00000.jsonl", "validation", validationCount,
                                Sha256.hex(validation), validation.length)),
                "checksum", Instant.now());
    }
}
