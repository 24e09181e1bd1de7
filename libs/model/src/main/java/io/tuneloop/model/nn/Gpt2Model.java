package io.tuneloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.hf.ModelConfig;

import java.util.Map;

/**
 * GPT-2 (and distilgpt2): learned positions, pre-norm LayerNorm blocks, multi-head attention from
 * one fused c_attn projection, an MLP with the config's activation (gelu_new by default); the output
 * head is the token embedding.
 */
public final class Gpt2Model extends BaseDecoder {
    Gpt2Model(ModelConfig config, NDManager manager, Map<String, NDArray> parameters) {
        super(config, manager, parameters);
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray positions, NDArray mask, KvCache cache) {
        Shape bt = inputIds.getShape();
        long c = config.hiddenSize();
        NDArray wte = p.get("transformer.wte.weight");
        NDArray tokens = wte.get(inputIds.reshape(-1)).reshape(bt.get(0), bt.get(1), c);                // (B, T, C)
        NDArray places = p.get("transformer.wpe.weight").get(positions.reshape(-1)).reshape(bt.get(0), bt.get(1), c);
        NDArray x = tokens.add(places);
        for (int i = 0; i < config.numLayers(); i++) {
            x = block(i, x, mask, cache);
        }
        x = Ops.layerNorm(x, p.get("transformer.ln_f.weight"), p.get("transformer.ln_f.bias"), config.normEps());
        return Ops.float32(Ops.linear(x, wte, null)); // (B, T, V), float32 for the loss and sampling
    }

    private NDArray block(int i, NDArray x, NDArray mask, KvCache cache) {
        String l = "transformer.h." + i + ".";
        long c = config.hiddenSize();
        NDArray h = Ops.layerNorm(x, p.get(l + "ln_1.weight"), p.get(l + "ln_1.bias"), config.normEps());
        NDArray qkv = conv1d(h, l + "attn.c_attn");                                               // (B, T, 3C)
        NDArray q = Ops.splitHeads(qkv.get(new NDIndex("..., :{}", c)), config.numHeads());          // (B, H, T, hs)
        NDArray k = Ops.splitHeads(qkv.get(new NDIndex("..., {}:{}", c, 2 * c)), config.numHeads());
        NDArray v = Ops.splitHeads(qkv.get(new NDIndex("..., {}:", 2 * c)), config.numHeads());
        if (cache != null) {
            NDList all = cache.append(i, k, v);
            k = all.get(0);
            v = all.get(1);
        }
        NDArray attended = Ops.mergeHeads(Ops.attention(q, k, v, mask));                             // (B, T, C)
        x = x.add(conv1d(attended, l + "attn.c_proj"));

        h = Ops.layerNorm(x, p.get(l + "ln_2.weight"), p.get(l + "ln_2.bias"), config.normEps());
        NDArray hidden = Ops.activation(conv1d(h, l + "mlp.c_fc"), config.activation());
        return x.add(conv1d(hidden, l + "mlp.c_proj"));
    }
}
