package io.tuneloop.model.nn;

import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every parameter of a model by its Hugging Face name and shape: what a checkpoint must contain
 * and what a new model is initialised with. GPT-2 keeps its Conv1D (in, out) weight layout.
 */
public final class ParameterLayout {
    private ParameterLayout() {
    }

    public static Map<String, long[]> of(ModelConfig c) {
        return c.architecture() == Architecture.GPT2 ? gpt2(c) : llama(c);
    }

    /** Names of parameters that are residual-stream output projections (scaled down at init, as GPT-2 does). */
    public static boolean isResidualProjection(String name) {
        return name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight") || name.endsWith("attn.c_proj.weight")
                || name.endsWith("mlp.c_proj.weight");
    }

    private static Map<String, long[]> llama(ModelConfig c) {
        long d = c.hiddenSize();
        long q = (long) c.numHeads() * c.headSize();   // = d unless head_dim is set otherwise
        long kv = (long) c.numKvHeads() * c.headSize();
        long inner = c.intermediateSize();
        Map<String, long[]> p = new LinkedHashMap<>();
        p.put("model.embed_tokens.weight", new long[]{c.vocabSize(), d});
        for (int i = 0; i < c.numLayers(); i++) {
            String l = "model.layers." + i + ".";
            p.put(l + "input_layernorm.weight", new long[]{d});
            p.put(l + "self_attn.q_proj.weight", new long[]{q, d});
            p.put(l + "self_attn.k_proj.weight", new long[]{kv, d});
            p.put(l + "self_attn.v_proj.weight", new long[]{kv, d});
            if (c.attentionBias()) {
                p.put(l + "self_attn.q_proj.bias", new long[]{q});
                p.put(l + "self_attn.k_proj.bias", new long[]{kv});
                p.put(l + "self_attn.v_proj.bias", new long[]{kv});
            }
            p.put(l + "self_attn.o_proj.weight", new long[]{d, q});
            if (c.outputBias()) {
                p.put(l + "self_attn.o_proj.bias", new long[]{d});
            }
            p.put(l + "post_attention_layernorm.weight", new long[]{d});
            p.put(l + "mlp.gate_proj.weight", new long[]{inner, d});
            p.put(l + "mlp.up_proj.weight", new long[]{inner, d});
            p.put(l + "mlp.down_proj.weight", new long[]{d, inner});
            if (c.mlpBias()) {
                p.put(l + "mlp.gate_proj.bias", new long[]{inner});
                p.put(l + "mlp.up_proj.bias", new long[]{inner});
                p.put(l + "mlp.down_proj.bias", new long[]{d});
            }
        }
        p.put("model.norm.weight", new long[]{d});
        if (!c.tieWordEmbeddings()) {
            p.put("lm_head.weight", new long[]{c.vocabSize(), d});
        }
        return p;
    }

    private static Map<String, long[]> gpt2(ModelConfig c) {
        long d = c.hiddenSize();
        Map<String, long[]> p = new LinkedHashMap<>();
        p.put("transformer.wte.weight", new long[]{c.vocabSize(), d});
        p.put("transformer.wpe.weight", new long[]{c.maxPositions(), d});
        for (int i = 0; i < c.numLayers(); i++) {
            String l = "transformer.h." + i + ".";
            p.put(l + "ln_1.weight", new long[]{d});
            p.put(l + "ln_1.bias", new long[]{d});
            p.put(l + "attn.c_attn.weight", new long[]{d, 3 * d});
            p.put(l + "attn.c_attn.bias", new long[]{3 * d});
            p.put(l + "attn.c_proj.weight", new long[]{d, d});
            p.put(l + "attn.c_proj.bias", new long[]{d});
            p.put(l + "ln_2.weight", new long[]{d});
            p.put(l + "ln_2.bias", new long[]{d});
            p.put(l + "mlp.c_fc.weight", new long[]{d, c.intermediateSize()});
            p.put(l + "mlp.c_fc.bias", new long[]{c.intermediateSize()});
            p.put(l + "mlp.c_proj.weight", new long[]{c.intermediateSize(), d});
            p.put(l + "mlp.c_proj.bias", new long[]{d});
        }
        p.put("transformer.ln_f.weight", new long[]{d});
        p.put("transformer.ln_f.bias", new long[]{d});
        return p;
    }
}
