package io.tuneloop.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsALlamaFamilyConfigAsTransformersWritesIt() throws Exception {
        // TinyLlama-1.1B's config.json (abridged)
        ModelConfig c = ModelConfig.fromJson(JSON.readTree("""
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 32000,
                 "hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 22,
                 "num_attention_heads": 32, "num_key_value_heads": 4, "max_position_embeddings": 2048,
                 "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": false,
                 "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16"}"""));
        assertThat(c.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(c.headSize()).isEqualTo(64);
        assertThat(c.numKvHeads()).isEqualTo(4);
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
        assertThat(ModelConfig.fromJson(c.toJson())).isEqualTo(c);
    }

    @Test
    void qwen2HasQkvBiasAndAListOfEosIds() throws Exception {
        ModelConfig c = ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "qwen2", "vocab_size": 151936, "hidden_size": 896, "intermediate_size": 4864,
                 "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2,
                 "max_position_embeddings": 32768, "rope_theta": 1000000.0, "tie_word_embeddings": true,
                 "eos_token_id": [151645, 151643]}"""));
        assertThat(c.attentionBias()).isTrue();
        assertThat(c.eosTokenId()).isEqualTo(151645);
        assertThat(c.tieWordEmbeddings()).isTrue();
    }

    @Test
    void readsDistilgpt2() throws Exception {
        ModelConfig c = ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "gpt2", "activation_function": "gelu_new", "n_embd": 768, "n_head": 12,
                 "n_layer": 6, "n_positions": 1024, "n_ctx": 1024, "n_inner": null, "vocab_size": 50257,
                 "layer_norm_epsilon": 1e-05, "bos_token_id": 50256, "eos_token_id": 50256}"""));
        assertThat(c.architecture()).isEqualTo(Architecture.GPT2);
        assertThat(c.intermediateSize()).isEqualTo(3072);
        assertThat(c.numKvHeads()).isEqualTo(12);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(ModelConfig.fromJson(c.toJson())).isEqualTo(c);
    }

    @Test
    void unsupportedOrInconsistentConfigsAreRefused() throws Exception {
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("{\"model_type\": \"t5\"}")))
                .hasMessageContaining("unsupported model_type 't5'");
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "llama", "vocab_size": 10, "hidden_size": 30, "num_hidden_layers": 1,
                 "num_attention_heads": 4, "intermediate_size": 8}""")))
                .hasMessageContaining("not divisible by 4 heads");
    }
}
