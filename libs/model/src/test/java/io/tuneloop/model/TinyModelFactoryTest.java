package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.Message;
import io.tuneloop.model.generate.GenerationConfig;
import io.tuneloop.model.generate.Generator;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.safetensors.ShardedCheckpoint;
import io.tuneloop.model.tokenizer.TextTokenizer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TinyModelFactoryTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void aFactoryCheckpointShardedInBf16LoadsThroughTheUserPath(Architecture architecture) throws Exception {
        TinyModelFactory.Spec spec = (architecture == Architecture.GPT2 ? TinyModelFactory.Spec.gpt2() : TinyModelFactory.Spec.llama())
                .withStorage(DType.BF16, 64 * 1024);
        ModelConfig written = TinyModelFactory.write(dir, spec, List.of("Below is an instruction. Write a response."), 7);

        for (String file : List.of("config.json", "generation_config.json", ShardedCheckpoint.INDEX_FILE, "tokenizer.json",
                "tokenizer_config.json", "special_tokens_map.json")) {
            assertThat(dir.resolve(file)).exists();
        }
        assertThat(Files.readString(dir.resolve("config.json"))).contains("\"torch_dtype\" : \"bfloat16\"");

        try (NDManager root = NDManager.newBaseManager(Device.cpu());
             DecoderModel model = Models.load(dir, root, Device.cpu());
             TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            assertThat(model.config().vocabSize()).isEqualTo(tokenizer.vocabSize()).isEqualTo(written.vocabSize());
            assertThat(model.config().eosTokenId()).isEqualTo(tokenizer.eosId().orElseThrow());
            ChatTemplate template = ChatTemplate.jinja(tokenizer.chatTemplate().orElseThrow(), Map.of());
            long[] prompt = tokenizer.encode(template.render(List.of(Message.user("Hi")), true));
            List<long[]> out = Generator.generate(model, List.of(prompt),
                    GenerationConfig.greedy(5, Set.of((long) tokenizer.eosId().orElseThrow())), tokenizer::decode, root);
            assertThat(out.get(0).length).isBetween(0, 5);
        }
    }
}
