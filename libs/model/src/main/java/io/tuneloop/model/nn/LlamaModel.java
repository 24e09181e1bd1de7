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
public final class LlamaModel implements DecoderModel {
    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> p;

    LlamaModel(ModelConfig config, NDManager manager, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.p = parameters;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return p;
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
        return Ops.linear(x, head, null); // (B, T, V)
    }

    private NDArray block(int i, NDArray x, NDArray positions, NDArray mask, KvCache cache) {
        String l = "model.layers." + i + ".";
        NDArray h = Ops.rmsNorm(x, p.get(l + "input_layernorm.weight"), config.normEps());
        NDArray q = Ops.splitHeads(Ops.linear(h, p.get(l + "self_attn.q_proj.weight"), p.get(l + "self_attn.q_proj.bias")),
                config.numHeads());                                                   // (B, H, T, hs)
        NDArray k = Ops.splitHeads(Ops.linear(h, p.get(l + "self_attn.k_proj.weight"), p.get(l + "self_attn.k_proj.bias")),
                config.numKvHeads());                                                 // (B, KV, T, hs)
        NDArray v = Ops.splitHeads(Ops.linear(h, p.get(l + "self_attn.v_proj.weight"), p.get(l + "self_attn.v_proj.bias")),
                config.numKvHeads());
        q = Ops.rope(q, positions, config.ropeTheta());
        k = Ops.rope(k, positions, config.ropeTheta());
        if (cache != null) {
            NDList all = cache.append(i, k, v);                                       // (B, KV, P+T, hs)
            k = all.get(0);
            v = all.get(1);
        }
        NDArray attended = Ops.mergeHeads(Ops.attention(q, k, v, mask));              // (B, T, C)
        x = x.add(Ops.linear(attended, p.get(l + "self_attn.o_proj.weight"), null));

        h = Ops.rmsNorm(x, p.get(l + "post_attention_layernorm.weight"), config.normEps());
        NDArray gate = Ops.silu(Ops.linear(h, p.get(l + "mlp.gate_proj.weight"), null)); // (B, T, I)
        NDArray up = Ops.linear(h, p.get(l + "mlp.up_proj.weight"), null);
        return x.add(Ops.linear(gate.mul(up), p.get(l + "mlp.down_proj.weight"), null));
    }

    @Override
    public void close() {
        manager.close();
    }
}
