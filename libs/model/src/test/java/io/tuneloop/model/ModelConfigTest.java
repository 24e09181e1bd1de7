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

    @Test
    void aLlama32ConfigKeepsItsRopeScalingEosListAndEveryOtherField() throws Exception {
        String text = """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256, "hidden_size": 2048,
                 "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8,
                 "head_dim": 64, "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
                 "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                 "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "tie_word_embeddings": true,
                 "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "torch_dtype": "bfloat16",
                 "pretraining_tp": 1, "initializer_range": 0.02, "transformers_version": "4.45.0.dev0", "use_cache": true}""";
        ModelConfig c = ModelConfig.fromJson(JSON.readTree(text));
        assertThat(c.rope().type()).isEqualTo("llama3");
        assertThat(c.rope().factor()).isEqualTo(32.0);
        assertThat(c.rope().theta()).isEqualTo(500000.0);
        assertThat(c.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(c.headSize()).isEqualTo(64);
        assertThat(c.toJson()).isEqualTo(JSON.readTree(text)); // an export writes back exactly what it read
        assertThat(c.withTorchDtype("float32").toJson().get("torch_dtype").asText()).isEqualTo("float32");
    }

    @Test
    void transformers5LayoutReadsRopeThetaFromRopeParameters() throws Exception {
        ModelConfig c = ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "llama", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 1,
                 "num_attention_heads": 4, "intermediate_size": 128, "max_position_embeddings": 512,
                 "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0}, "dtype": "bfloat16"}"""));
        assertThat(c.ropeTheta()).isEqualTo(1000000.0); // not the 10000 fallback
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
    }

    @Test
    void headDimBiasesAndSlidingWindowsAreReadPerFamily() throws Exception {
        ModelConfig llama = ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "llama", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "head_dim": 32, "intermediate_size": 128, "attention_bias": true,
                 "mlp_bias": true, "sliding_window": 16}"""));
        assertThat(llama.headSize()).isEqualTo(32);
        assertThat(llama.attentionBias() && llama.outputBias() && llama.mlpBias()).isTrue();
        assertThat(llama.slidingWindow()).as("Llama has no sliding window in transformers").isZero();
        ModelConfig mistral = ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "mistral", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 128, "sliding_window": 4096}"""));
        assertThat(mistral.slidingWindowAt(0)).isTrue();
        assertThat(mistral.slidingWindow()).isEqualTo(4096);
        ModelConfig qwen = ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "qwen2", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 4,
                 "num_attention_heads": 4, "intermediate_size": 128, "sliding_window": 32, "use_sliding_window": true,
                 "max_window_layers": 2}"""));
        assertThat(qwen.slidingWindowAt(1)).isFalse();
        assertThat(qwen.slidingWindowAt(2)).isTrue();
        assertThat(qwen.attentionBias()).isTrue();
        assertThat(qwen.outputBias()).isFalse();
        ModelConfig qwenNoWindow = ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "qwen2", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 4,
                 "num_attention_heads": 4, "intermediate_size": 128, "sliding_window": 32, "use_sliding_window": false}"""));
        assertThat(qwenNoWindow.slidingWindow()).isZero();
    }

    @Test
    void fieldsThatWouldChangeTheMathSilentlyAreRefusedByName() throws Exception {
        String base = "\"model_type\": \"llama\", \"vocab_size\": 100, \"hidden_size\": 64, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 4, \"intermediate_size\": 128";
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("{" + base + ", \"use_qk_norm\": true}")))
                .hasMessageContaining("use_qk_norm");
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("{" + base
                + ", \"rope_scaling\": {\"rope_type\": \"longrope\", \"factor\": 2}}")))
                .hasMessageContaining("unsupported rope_type 'longrope'");
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("{" + base
                + ", \"rope_scaling\": {\"type\": \"linear\", \"rope_type\": \"dynamic\", \"factor\": 2}}")))
                .hasMessageContaining("disagree");
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("{" + base
                + ", \"rope_scaling\": {\"rope_type\": \"linear\", \"factor\": 2, \"frequency_boost\": 3}}")))
                .hasMessageContaining("frequency_boost");
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("{" + base + ", \"hidden_act\": \"gelu\"}")))
                .hasMessageContaining("hidden_act 'gelu'");
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("{" + base + ", \"partial_rotary_factor\": 0.5}")))
                .hasMessageContaining("partial_rotary_factor");
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("{" + base.replace("llama", "mistral")
                + ", \"attention_bias\": true}"))).hasMessageContaining("attention_bias");
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "gpt2", "activation_function": "gelu_10"}"""))).hasMessageContaining("gelu_10");
        assertThat(ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "gpt2", "activation_function": "relu"}""")).activation()).isEqualTo("relu");
    }

    @Test
    void layerTypesAsRecentTransformersWriteThemAreRead() throws Exception {
        ModelConfig qwen = ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "qwen2", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 3,
                 "num_attention_heads": 4, "intermediate_size": 128, "sliding_window": 32, "use_sliding_window": false,
                 "layer_types": ["full_attention", "full_attention", "full_attention"]}"""));
        assertThat(qwen.slidingWindow()).isZero();
        ModelConfig windowed = ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "qwen2", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 3,
                 "num_attention_heads": 4, "intermediate_size": 128, "sliding_window": 32, "use_sliding_window": true,
                 "max_window_layers": 1, "layer_types": ["full_attention", "sliding_attention", "sliding_attention"]}"""));
        assertThat(windowed.slidingWindowAt(0)).isFalse();
        assertThat(windowed.slidingWindowAt(1)).isTrue();
        assertThatThrownBy(() -> ModelConfig.fromJson(JSON.readTree("""
                {"model_type": "qwen2", "vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "intermediate_size": 128, "sliding_window": 32,
                 "layer_types": ["sliding_attention", "full_attention"]}"""))).hasMessageContaining("full_attention layers after");
    }
}
