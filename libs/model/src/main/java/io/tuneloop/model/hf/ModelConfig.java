package io.tuneloop.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hyper-parameters of a decoder, read from a Hugging Face {@code config.json} as transformers
 * reads it. Every field that changes the math is either implemented or refused by name (see
 * docs/model-config.md); the file itself is kept ({@link #source}) so that an export writes the
 * user's config back with only what training changed.
 *
 * @param architecture      family
 * @param modelType         HF {@code model_type} (llama, qwen2, mistral, gpt2)
 * @param vocabSize         V
 * @param hiddenSize        C, the residual width
 * @param numLayers         transformer blocks
 * @param numHeads          query heads H
 * @param numKvHeads        key/value heads (grouped-query attention); = H for GPT-2
 * @param headDim           per-head width hs ({@code head_dim}; hidden_size / heads when absent)
 * @param intermediateSize  MLP width (GPT-2: 4C unless n_inner is set)
 * @param maxPositions      longest sequence the model was trained for
 * @param normEps           RMSNorm / LayerNorm epsilon
 * @param rope              rotary embedding (Llama family)
 * @param tieWordEmbeddings whether lm_head shares the token embedding
 * @param attentionBias     q/k/v projections carry a bias (Qwen2 always; Llama's attention_bias)
 * @param outputBias        o_proj carries a bias (Llama's attention_bias)
 * @param mlpBias           gate/up/down projections carry a bias (Llama's mlp_bias)
 * @param slidingWindow     attention window W (a token sees the last W positions, itself included), or 0
 * @param windowFromLayer   the first layer that uses the window (Qwen2's max_window_layers; 0 = all)
 * @param activation        the MLP activation (silu for Llama; GPT-2's activation_function)
 * @param bosTokenId        beginning-of-sequence id, or -1
 * @param eosTokenIds       end-of-sequence ids (config.json may list several)
 * @param torchDtype        dtype of the weights on disk (float32, float16, bfloat16)
 * @param source            the config.json as read (null for a model made in code)
 */
public record ModelConfig(Architecture architecture, String modelType, int vocabSize, int hiddenSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, int intermediateSize, int maxPositions,
                          double normEps, Rope rope, boolean tieWordEmbeddings, boolean attentionBias, boolean outputBias,
                          boolean mlpBias, int slidingWindow, int windowFromLayer, String activation, int bosTokenId,
                          List<Integer> eosTokenIds, String torchDtype, ObjectNode source) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LLAMA_TYPES = Set.of("llama", "qwen2", "mistral");
    private static final Set<String> GPT2_ACTIVATIONS = Set.of("gelu_new", "gelu_pytorch_tanh", "gelu", "relu",
            "silu", "swish", "gelu_fast", "quick_gelu", "tanh");
    /** Fields that change the math in some model family and that tuneloop does not implement: refused by name. */
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("use_qk_norm", "normalised queries and keys (Qwen3, Llama 4)"),
            Map.entry("qk_norm", "normalised queries and keys"),
            Map.entry("attention_chunk_size", "chunked attention (Llama 4)"),
            Map.entry("no_rope_layers", "layers without RoPE (Llama 4)"),
            Map.entry("attn_logit_softcapping", "attention logit soft-capping (Gemma 2)"),
            Map.entry("final_logit_softcapping", "final logit soft-capping (Gemma 2)"),
            Map.entry("query_pre_attn_scalar", "a custom attention scale (Gemma 2)"),
            Map.entry("embedding_multiplier", "embedding scaling (Granite)"),
            Map.entry("residual_multiplier", "residual scaling (Granite)"),
            Map.entry("attention_multiplier", "attention scaling (Granite)"),
            Map.entry("logits_scaling", "logit scaling (Granite)"),
            Map.entry("add_cross_attention", "cross-attention"),
            Map.entry("quantization_config", "quantized weights"));

    public ModelConfig {
        require(vocabSize > 0, "vocab_size must be > 0");
        require(hiddenSize > 0 && numLayers > 0 && numHeads > 0, "hidden size, layers and heads must be > 0");
        require(headDim > 0 && headDim % 2 == 0, "head_dim must be a positive even number, was " + headDim);
        require(numKvHeads > 0 && numHeads % numKvHeads == 0,
                numHeads + " query heads cannot be grouped over " + numKvHeads + " key/value heads");
        require(maxPositions > 0, "max positions must be > 0");
        require(slidingWindow >= 0, "sliding_window must be >= 0");
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /**
     * A config made in code (tests, the demo, benchmarks): head_dim = hidden/heads, plain RoPE, no
     * extra biases or window, the family's activation, one eos id.
     */
    public ModelConfig(Architecture architecture, String modelType, int vocabSize, int hiddenSize, int numLayers,
                       int numHeads, int numKvHeads, int intermediateSize, int maxPositions, double normEps,
                       double ropeTheta, boolean tieWordEmbeddings, boolean attentionBias, int bosTokenId,
                       int eosTokenId, String torchDtype) {
        this(architecture, modelType, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads,
                divisible(hiddenSize, numHeads), intermediateSize, maxPositions, normEps,
                Rope.plain(architecture == Architecture.GPT2 ? 10000 : ropeTheta, maxPositions), tieWordEmbeddings,
                attentionBias, false, false, 0, 0, architecture == Architecture.GPT2 ? "gelu_new" : "silu", bosTokenId,
                eosTokenId >= 0 ? List.of(eosTokenId) : List.of(), torchDtype, null);
    }

    private static int divisible(int hidden, int heads) {
        require(heads > 0 && hidden % heads == 0, "hidden size " + hidden + " is not divisible by " + heads + " heads");
        return hidden / heads;
    }

    /** Per-head width (hs). */
    public int headSize() {
        return headDim;
    }

    public double ropeTheta() {
        return rope.theta();
    }

    /** The first eos id, or -1. */
    public int eosTokenId() {
        return eosTokenIds.isEmpty() ? -1 : eosTokenIds.get(0);
    }

    /** Whether layer {@code layer} attends within the sliding window. */
    public boolean slidingWindowAt(int layer) {
        return slidingWindow > 0 && layer >= windowFromLayer;
    }

    public static ModelConfig read(Path configJson) {
        try {
            return fromJson(JSON.readTree(configJson.toFile()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + configJson + ": " + e.getMessage(), e);
        }
    }

    public static ModelConfig fromJson(JsonNode c) {
        if (!c.isObject()) {
            throw new IllegalArgumentException("config.json must be a JSON object");
        }
        String type = c.path("model_type").asText("");
        for (var refused : REFUSED.entrySet()) {
            JsonNode value = c.get(refused.getKey());
            if (value != null && !value.isNull() && !(value.isBoolean() && !value.asBoolean())) {
                throw new IllegalArgumentException("config.json field '" + refused.getKey() + "' (" + refused.getValue()
                        + ") is not supported by tuneloop");
            }
        }
        String dtype = c.hasNonNull("torch_dtype") ? c.get("torch_dtype").asText() : c.path("dtype").asText("float32");
        ObjectNode source = ((ObjectNode) c).deepCopy();
        if (LLAMA_TYPES.contains(type)) {
            return llama(c, type, dtype, source);
        }
        if (type.equals("gpt2")) {
            return gpt2(c, dtype, source);
        }
        throw new IllegalArgumentException("unsupported model_type '" + type + "': tuneloop loads llama, qwen2, mistral"
                + " and gpt2 checkpoints");
    }

    private static ModelConfig llama(JsonNode c, String type, String dtype, ObjectNode source) {
        int heads = c.path("num_attention_heads").asInt();
        int hidden = c.path("hidden_size").asInt();
        int headDim = c.hasNonNull("head_dim") ? c.get("head_dim").asInt() : divisible(hidden, heads);
        String act = c.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("hidden_act '" + act + "' is not supported for " + type + " (silu is)");
        }
        double partial = c.path("partial_rotary_factor").asDouble(1.0);
        if (partial != 1.0) {
            throw new IllegalArgumentException("partial_rotary_factor " + partial + " is not supported (Llama rotates the whole head)");
        }
        int maxPositions = c.path("max_position_embeddings").asInt(2048);
        boolean qkvBias;
        boolean outputBias;
        boolean mlpBias = false;
        int window = 0;
        int windowFrom = 0;
        switch (type) {
            case "qwen2" -> { // Qwen2Attention: q/k/v carry a bias, o_proj none; the window only with use_sliding_window
                qkvBias = true;
                outputBias = false;
                if (c.path("use_sliding_window").asBoolean(false) && c.hasNonNull("sliding_window")) {
                    window = c.get("sliding_window").asInt();
                    windowFrom = c.path("max_window_layers").asInt(28);
                }
            }
            case "mistral" -> { // MistralAttention has no biases; the window applies whenever sliding_window is set
                refuseTrue(c, "attention_bias", type);
                refuseTrue(c, "mlp_bias", type);
                qkvBias = false;
                outputBias = false;
                if (c.hasNonNull("sliding_window")) {
                    window = c.get("sliding_window").asInt();
                }
            }
            default -> { // llama: attention_bias on q, k, v and o; mlp_bias on gate, up, down; no sliding window
                qkvBias = c.path("attention_bias").asBoolean(false);
                outputBias = qkvBias;
                mlpBias = c.path("mlp_bias").asBoolean(false);
            }
        }
        if (c.has("layer_types") && !c.get("layer_types").isNull()) {
            // transformers >= 4.53 writes the per-layer attention kinds; tuneloop implements "full from here on
            // sliding" (what use_sliding_window and max_window_layers describe), which is what they derive
            int[] layout = layerTypes(c.get("layer_types"), c.path("num_hidden_layers").asInt(), type);
            int from = layout[0];
            if (from < c.path("num_hidden_layers").asInt()) {
                if (!c.hasNonNull("sliding_window")) {
                    throw new IllegalArgumentException("layer_types names sliding_attention layers but sliding_window is not set");
                }
                window = c.get("sliding_window").asInt();
                windowFrom = from;
            } else {
                window = 0;
                windowFrom = 0;
            }
        }
        return new ModelConfig(Architecture.LLAMA, type, c.path("vocab_size").asInt(), hidden,
                c.path("num_hidden_layers").asInt(), heads, c.path("num_key_value_heads").asInt(heads), headDim,
                c.path("intermediate_size").asInt(), maxPositions, c.path("rms_norm_eps").asDouble(1e-6),
                Rope.fromConfig(c, maxPositions), c.path("tie_word_embeddings").asBoolean(false), qkvBias, outputBias,
                mlpBias, window, windowFrom, act, c.path("bos_token_id").asInt(-1), ids(c.path("eos_token_id")), dtype,
                source);
    }

    private static ModelConfig gpt2(JsonNode c, String dtype, ObjectNode source) {
        int hidden = c.path("n_embd").asInt(768);
        int inner = c.path("n_inner").isNull() || c.path("n_inner").isMissingNode() ? 4 * hidden : c.path("n_inner").asInt();
        int heads = c.path("n_head").asInt(12);
        String act = c.path("activation_function").asText("gelu_new");
        if (!GPT2_ACTIVATIONS.contains(act)) {
            throw new IllegalArgumentException("activation_function '" + act + "' is not supported; tuneloop implements "
                    + new java.util.TreeSet<>(GPT2_ACTIVATIONS));
        }
        if (!c.path("scale_attn_weights").asBoolean(true)) {
            throw new IllegalArgumentException("scale_attn_weights=false (unscaled attention) is not supported");
        }
        refuseTrue(c, "scale_attn_by_inverse_layer_idx", "gpt2");
        if (!c.path("tie_word_embeddings").asBoolean(true)) {
            throw new IllegalArgumentException("tie_word_embeddings=false (a GPT-2 with its own lm_head) is not supported");
        }
        return new ModelConfig(Architecture.GPT2, "gpt2", c.path("vocab_size").asInt(50257), hidden,
                c.path("n_layer").asInt(12), heads, heads, divisible(hidden, heads), inner, c.path("n_positions").asInt(1024),
                c.path("layer_norm_epsilon").asDouble(1e-5), Rope.plain(10000, c.path("n_positions").asInt(1024)),
                true, true, true, true, 0, 0, act,
                c.path("bos_token_id").asInt(-1), ids(c.path("eos_token_id")), dtype, source);
    }

    /** {first sliding layer} of a layer_types list that is full_attention layers, then sliding_attention layers. */
    private static int[] layerTypes(JsonNode types, int layers, String type) {
        if (!types.isArray() || types.size() != layers) {
            throw new IllegalArgumentException("layer_types must list one type for each of the " + layers + " layers");
        }
        int firstSliding = layers;
        for (int i = 0; i < layers; i++) {
            String kind = types.get(i).asText();
            if (!kind.equals("full_attention") && !kind.equals("sliding_attention")) {
                throw new IllegalArgumentException("layer_types entry '" + kind + "' is not supported");
            }
            if (kind.equals("sliding_attention") && firstSliding == layers) {
                firstSliding = i;
            } else if (kind.equals("full_attention") && firstSliding < layers) {
                throw new IllegalArgumentException("layer_types with full_attention layers after sliding_attention ones"
                        + " is not supported (tuneloop windows every layer from the first sliding one on)");
            }
        }
        if (firstSliding < layers && type.equals("llama")) {
            throw new IllegalArgumentException("layer_types names sliding_attention layers, which transformers' Llama does not have");
        }
        return new int[]{firstSliding};
    }

    private static void refuseTrue(JsonNode c, String field, String type) {
        if (c.path(field).asBoolean(false)) {
            throw new IllegalArgumentException(field + "=true is not supported for " + type + " (transformers' " + type
                    + " has no such option)");
        }
    }

    /**
     * config.json for this model: the file it was read from with {@code torchDtype} as given, or, for a
     * model made in code, the fields transformers writes for its family.
     */
    public ObjectNode toJson() {
        if (source != null) {
            ObjectNode c = source.deepCopy();
            boolean stated = source.has("torch_dtype") || source.has("dtype");
            if (stated || !torchDtype.equals("float32")) { // an unstated dtype reads as float32: keep it unstated
                c.put(source.has("dtype") && !source.has("torch_dtype") ? "dtype" : "torch_dtype", torchDtype);
            }
            return c;
        }
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
            c.put("activation_function", activation);
        } else {
            c.putArray("architectures").add(modelType.equals("qwen2") ? "Qwen2ForCausalLM"
                    : modelType.equals("mistral") ? "MistralForCausalLM" : "LlamaForCausalLM");
            c.put("hidden_size", hiddenSize);
            c.put("num_hidden_layers", numLayers);
            c.put("num_attention_heads", numHeads);
            c.put("num_key_value_heads", numKvHeads);
            c.put("head_dim", headDim);
            c.put("intermediate_size", intermediateSize);
            c.put("max_position_embeddings", maxPositions);
            c.put("rms_norm_eps", normEps);
            c.put("rope_theta", rope.theta());
            c.put("hidden_act", activation);
            c.put("attention_bias", attentionBias);
        }
        c.put("tie_word_embeddings", tieWordEmbeddings);
        if (bosTokenId >= 0) {
            c.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            c.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            var list = c.putArray("eos_token_id");
            eosTokenIds.forEach(list::add);
        }
        return c;
    }

    /** The same model stored as {@code dtype} (float32, float16, bfloat16). */
    public ModelConfig withTorchDtype(String dtype) {
        return new ModelConfig(architecture, modelType, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, headDim,
                intermediateSize, maxPositions, normEps, rope, tieWordEmbeddings, attentionBias, outputBias, mlpBias,
                slidingWindow, windowFromLayer, activation, bosTokenId, eosTokenIds, dtype, source);
    }

    /** An int or a list of ints (config.json and generation_config.json both allow either). */
    public static List<Integer> ids(JsonNode ids) {
        List<Integer> out = new ArrayList<>();
        if (ids.isArray()) {
            ids.forEach(id -> out.add(id.asInt()));
        } else if (ids.isInt()) {
            out.add(ids.asInt());
        }
        return out;
    }

    private static void require(boolean ok, String reason) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model config: " + reason);
        }
    }
}
