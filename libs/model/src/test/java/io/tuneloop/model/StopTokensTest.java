package io.tuneloop.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tuneloop.model.generate.StopTokens;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.tokenizer.TinyTokenizerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Generation stops where HF's generate stops with the model's files (Llama-3.x-Instruct lists three eos ids). */
class StopTokensTest {
    @TempDir
    Path dir;

    @Test
    void everyEosIdOfTheModelsFilesAndTheTemplatesEndOfTurnStopGeneration() throws Exception {
        TinyTokenizerFactory.write(dir, List.of("hello world"), 10, 64);
        ObjectMapper json = new ObjectMapper();
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            int bos = tokenizer.idOf(TinyTokenizerFactory.BOS).orElseThrow();
            int pad = tokenizer.idOf(TinyTokenizerFactory.PAD).orElseThrow();
            int imStart = tokenizer.idOf(TinyTokenizerFactory.IM_START).orElseThrow();
            int imEnd = tokenizer.idOf(TinyTokenizerFactory.IM_END).orElseThrow();
            // config.json lists two ids, generation_config.json another; the tokenizer's eos is <|im_end|>
            ObjectNode config = json.createObjectNode().put("model_type", "llama");
            config.putArray("eos_token_id").add(bos).add(pad);
            Files.writeString(dir.resolve("config.json"), config.toString());
            ObjectNode generation = json.createObjectNode();
            generation.putArray("eos_token_id").add(imStart);
            Files.writeString(dir.resolve("generation_config.json"), generation.toString());
            assertThat(StopTokens.of(dir, tokenizer)).containsExactlyInAnyOrder((long) bos, (long) pad, (long) imStart,
                    (long) imEnd);
        }
    }

    @Test
    void theEndOfTurnTokenComesFromTheTemplateWhenTheEosTokenIsAnother() throws Exception {
        TinyTokenizerFactory.write(dir, List.of("hello world"), 10, 64);
        ObjectMapper json = new ObjectMapper();
        ObjectNode tokenizerConfig = (ObjectNode) json.readTree(dir.resolve("tokenizer_config.json").toFile());
        tokenizerConfig.put("eos_token", TinyTokenizerFactory.BOS); // as base models do: eos is <|endoftext|>
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig);
        Files.delete(dir.resolve("special_tokens_map.json"));
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            assertThat(StopTokens.of(dir, tokenizer)).contains((long) tokenizer.idOf(TinyTokenizerFactory.IM_END).orElseThrow(),
                    (long) tokenizer.idOf(TinyTokenizerFactory.BOS).orElseThrow());
        }
    }
}
