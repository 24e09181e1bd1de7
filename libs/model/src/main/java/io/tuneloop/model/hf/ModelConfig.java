package io.tuneloop.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The hyper-parameters of a decoder, read from and written to a Hugging Face {@code config.json}.
 * One record serves both families; fields a family does not use keep neutral values.
 *
 * @param architecture      family
 * @param modelType         HF {@code model_type} (llama, qwen2, mistral, gpt2)
 * @param vocabSize         V
 * @param hiddenSize        C, the residual width
 * @param numLayers         transformer blocks
 * @param numHeads          query heads; head size is C / numHeads
 * @param numKvHeads        key/value heads (grouped-query attention); = numHeads for GPT-2
 * @param intermediateSize  MLP width (GPT-2: 4C unless n_inner is set)
 * @param maxPositions      longest sequence the model was trained for
 * @param normEps           RMSNorm / LayerNorm epsilon
 * @param ropeTheta         rotary base (Llama family)
 * @param tieWordEmbeddings whether lm_head shares the token embedding
 * @param attentionBias     q/k/v projections carry a bias (Qwen2; always true for GPT-2)
 * @param bosTokenId        beginning-of-sequence id, or -1
 * @param eosTokenId        end-of-sequence id, or -1
 * @param torchDtype        dtype of the weights on disk (float32, float16, bfloat16)
 */
public record ModelConfig(Architecture architecture, String modelType, int vocabSize, int hiddenSize, int numLayers,
                          int numHeads, int numKvHeads, int intermediateSize, int maxPositions, double normEps,
                          double ropeTheta, boolean tieWordEmbeddings, boolean attentionBias, int bosTokenId,
                          int eosTokenId, String torchDtype) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LLAMA_TYPES = Set.of("llama", "qwen2", "mistral");

    public ModelConfig {
        require(vocabSize > 0, "vocab_size must be > 0");
        require(hiddenSize > 0 && numLayers > 0 && numHeads > 0, "hidden size, layers and heads must be > 0");
        require(hiddenSize % numHeads == 0, "hidden size " + hiddenSize + " is not divisible by " + numHeads + " heads");
        require(numKvHeads > 0 && numHeads % numKvHeads == 0,
                numHeads + " query heads cannot be grouped over " + numKvHeads + " key/value heads");
        require(maxPositions > 0, "max positions must be > 0");
    }

    public int headSize() {
        return hiddenSize / numHeads;
    }

    public static ModelConfig read(Path configJson) {
        try {
            return fromJson(JSON.readTree(configJson.toFile()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + configJson + ": " + e.getMessage(), e);
        }
    }

    public static ModelConfig fromJson(JsonNode c) {
        String type = c.path("model_type").asText("");
        String dtype = c.path("torch_dtype").asText("float32");
        if (LLAMA_TYPES.contains(type)) {
            int heads = c.path("num_attention_heads").asInt();
            return new ModelConfig(Architecture.LLAMA, type, c.path("vocab_size").asInt(), c.path("hidden_size").asInt(),
                    c.path("num_hidden_layers").asInt(), heads, c.path("num_key_value_heads").asInt(heads),
                    c.path("intermediate_size").asInt(), c.path("max_position_embeddings").asInt(2048),
                    c.path("rms_norm_eps").asDouble(1e-6), c.path("rope_theta").asDouble(10000.0),
                    c.path("tie_word_embeddings").asBoolean(false),
                    c.path("attention_bias").asBoolean(type.equals("qwen2")),
                    c.path("bos_token_id").asInt(-1), firstId(c.path("eos_token_id")), dtype);
        }
        if (type.equals("gpt2")) {
            int hidden = c.path("n_embd").asInt(768);
            int inner = c.path("n_inner").isNull() || c.path("n_inner").isMissingNode() ? 4 * hidden : c.path("n_inner").asInt();
            int heads = c.path("n_head").asInt(12);
            return new ModelConfig(Architecture.GPT2, type, c.path("vocab_size").asInt(50257), hidden,
                    c.path("n_layer").asInt(12), heads, heads, inner, c.path("n_positions").asInt(1024),
                    c.path("layer_norm_epsilon").asDouble(1e-5), 0, true, true,
                    c.path("bos_token_id").asInt(-1), firstId(c.path("eos_token_id")), dtype);
        }
        throw new IllegalArgumentException("unsupported model_type '" + type + "': tuneloop loads llama, qwen2, mistral"
                + " and gpt2 checkpoints");
    }

    /** config.json as transformers writes it for this family. */
    public ObjectNode toJson() {
        ObjectNode c = JSON.createObjectNode();
        c.put("model_type", modelType);
        c.put("torch_dtype", torchDtype);
        c.put("vocab_size", vocabSize);
        if (architecture == Architecture.GPT2) {
            c.putArray("architectures").add("GPT2LMHeadModel");
            c.put("n_embd", hiddenSize);
            c.put("n_layer", numLayers);
            c.put("n_head", numHeads);
            c.put("n_inner", intermediateSize);
            c.put("n_positions", maxPositions);
            c.put("n_ctx", maxPositions);
            c.put("layer_norm_epsilon", normEps);
            c.put("activation_function", "gelu_new");
        } else {
            c.putArray("architectures").add(modelType.equals("qwen2") ? "Qwen2ForCausalLM"
                    : modelType.equals("mistral") ? "MistralForCausalLM" : "LlamaForCausalLM");
            c.put("hidden_size", hiddenSize);
            c.put("num_hidden_layers", numLayers);
            c.put("num_attention_heads", numHeads);
            c.put("num_key_value_heads", numKvHeads);
            c.put("intermediate_size", intermediateSize);
            c.put("max_position_embeddings", maxPositions);
            c.put("rms_norm_eps", normEps);
            c.put("rope_theta", ropeTheta);
            c.put("hidden_act", "silu");
            c.put("attention_bias", attentionBias);
        }
        c.put("tie_word_embeddings", tieWordEmbeddings);
        if (bosTokenId >= 0) {
            c.put("bos_token_id", bosTokenId);
        }
        if (eosTokenId >= 0) {
            c.put("eos_token_id", eosTokenId);
        }
        return c;
    }

    private static int firstId(JsonNode ids) {
        if (ids.isArray()) {
            return ids.isEmpty() ? -1 : ids.get(0).asInt();
        }
        return ids.asInt(-1);
    }

    private static void require(boolean ok, String reason) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model config: " + reason);
        }
    }
}
