package io.tuneloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.hf.ModelConfig;

import java.util.Map;

/**
 * The Llama family (Llama, TinyLlama, SmolLM, Mistral, Qwen2): pre-norm blocks of RMSNorm,
 * grouped-query self-attention with rotary positions (any rope type of {@link io.tuneloop.model.hf.Rope}),
 * an optional sliding window, and a SwiGLU MLP.
 */
public final class LlamaModel extends BaseDecoder {
    /**
     * Dynamic NTK scaling's state, as HF's rotary embedding keeps it: the longest sequence seen beyond
     * max_position_embeddings (0 when none); its frequencies stay until a sequence shorter than
     * max_position_embeddings comes, which restores the original ones.
     */
    private int dynamicLength;

    LlamaModel(ModelConfig config, NDManager manager, Map<String, NDArray> parameters) {
        super(config, manager, parameters);
    }

    /** The sequence length the rotary frequencies are computed for (0: the configured ones). */
    private int ropeLength(NDArray positions) {
        if (!config.rope().dependsOnLength()) {
            return 0;
        }
        int length = (int) positions.max().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong() + 1;
        if (length > Math.max(dynamicLength, config.maxPositions())) {
            dynamicLength = length;
        } else if (length < config.maxPositions() && dynamicLength > config.maxPositions()) {
            dynamicLength = 0;
        }
        return dynamicLength;
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray positions, NDArray mask, KvCache cache) {
        Shape bt = inputIds.getShape();
        NDArray embeddings = p.get("model.embed_tokens.weight");
        NDArray x = embeddings.get(inputIds.reshape(-1)).reshape(bt.get(0), bt.get(1), config.hiddenSize()); // (B, T, C)
        // the rotary angles are the same for every layer: computed once per forward
        NDArray[] rotary = Ops.rotaryAngles(positions, config.rope().inverseFrequencies(config.headSize(), ropeLength(positions)),
                config.rope().attentionScaling(), x.getDataType());
        NDArray windowed = AttentionMasks.withinWindow(mask, config.slidingWindow());                // (B, 1, T, S)
        for (int i = 0; i < config.numLayers(); i++) {
            x = block(i, x, rotary, config.slidingWindowAt(i) ? windowed : mask, cache);
        }
        x = Ops.rmsNorm(x, p.get("model.norm.weight"), config.normEps());
        NDArray head = config.tieWordEmbeddings() ? embeddings : p.get("lm_head.weight");
        return Ops.float32(Ops.linear(x, head, null)); // (B, T, V), float32 for the loss and sampling
    }

    private NDArray block(int i, NDArray x, NDArray[] rotary, NDArray mask, KvCache cache) {
        String l = "model.layers." + i + ".";
        NDArray h = Ops.rmsNorm(x, p.get(l + "input_layernorm.weight"), config.normEps());
        NDArray q = Ops.splitHeads(linear(h, l + "self_attn.q_proj"), config.numHeads());   // (B, H, T, hs)
        NDArray k = Ops.splitHeads(linear(h, l + "self_attn.k_proj"), config.numKvHeads()); // (B, KV, T, hs)
        NDArray v = Ops.splitHeads(linear(h, l + "self_attn.v_proj"), config.numKvHeads());
        q = Ops.applyRotary(q, rotary[0], rotary[1]);
        k = Ops.applyRotary(k, rotary[0], rotary[1]);
        if (cache != null) {
            NDList all = cache.append(i, k, v);                                       // (B, KV, P+T, hs)
            k = all.get(0);
            v = all.get(1);
        }
        NDArray attended = Ops.mergeHeads(Ops.attention(q, k, v, mask));              // (B, T, H*hs)
        x = x.add(linear(attended, l + "self_attn.o_proj"));

        h = Ops.rmsNorm(x, p.get(l + "post_attention_layernorm.weight"), config.normEps());
        NDArray gate = Ops.silu(linear(h, l + "mlp.gate_proj"));                        // (B, T, I)
        NDArray up = linear(h, l + "mlp.up_proj");
        return x.add(linear(gate.mul(up), l + "mlp.down_proj"));
    }
}
