package io.tuneloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.hf.ModelConfig;

import java.util.Map;

/**
 * The Llama family (Llama, TinyLlama, SmolLM, Mistral, Qwen2): pre-norm blocks of RMSNorm,
 * grouped-query self-attention with rotary positions, and a SwiGLU MLP.
 */
public final class LlamaModel extends BaseDecoder {
    LlamaModel(ModelConfig config, NDManager manager, Map<String, NDArray> parameters) {
        super(config, manager, parameters);
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray positions, NDArray mask, KvCache cache) {
        Shape bt = inputIds.getShape();
        NDArray embeddings = p.get("model.embed_tokens.weight");
        NDArray x = embeddings.get(inputIds.reshape(-1)).reshape(bt.get(0), bt.get(1), config.hiddenSize()); // (B, T, C)
        for (int i = 0; i < config.numLayers(); i++) {
            x = block(i, x, positions, mask, cache);
        }
        x = Ops.rmsNorm(x, p.get("model.norm.weight"), config.normEps());
        NDArray head = config.tieWordEmbeddings() ? embeddings : p.get("lm_head.weight");
        return Ops.float32(Ops.linear(x, head, null)); // (B, T, V), float32 for the loss and sampling
    }

    private NDArray block(int i, NDArray x, NDArray positions, NDArray mask, KvCache cache) {
        String l = "model.layers." + i + ".";
        NDArray h = Ops.rmsNorm(x, p.get(l + "input_layernorm.weight"), config.normEps());
        NDArray q = Ops.splitHeads(linear(h, l + "self_attn.q_proj"), config.numHeads());   // (B, H, T, hs)
        NDArray k = Ops.splitHeads(linear(h, l + "self_attn.k_proj"), config.numKvHeads()); // (B, KV, T, hs)
        NDArray v = Ops.splitHeads(linear(h, l + "self_attn.v_proj"), config.numKvHeads());
        q = Ops.rope(q, positions, config.ropeTheta());
        k = Ops.rope(k, positions, config.ropeTheta());
        if (cache != null) {
            NDList all = cache.append(i, k, v);                                       // (B, KV, P+T, hs)
            k = all.get(0);
            v = all.get(1);
        }
        NDArray attended = Ops.mergeHeads(Ops.attention(q, k, v, mask));              // (B, T, C)
        x = x.add(linear(attended, l + "self_attn.o_proj"));

        h = Ops.rmsNorm(x, p.get(l + "post_attention_layernorm.weight"), config.normEps());
        NDArray gate = Ops.silu(linear(h, l + "mlp.gate_proj"));                        // (B, T, I)
        NDArray up = linear(h, l + "mlp.up_proj");
        return x.add(linear(gate.mul(up), l + "mlp.down_proj"));
    }
}
