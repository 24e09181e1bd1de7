package io.tuneloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The building blocks both architectures share, written once. Every constant is a native scalar
 * created in the input's manager: DJL's {@code mul(Number)} family frees its temporary tensor while
 * autograd still needs it (FACTS.md), which corrupts gradients at the next GC.
 */
public final class Ops {
    private Ops() {
    }

    /** A float32 scalar living as long as {@code like}'s manager. */
    public static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, DataType.FLOAT32);
    }

    /** y = x W^T (+ b), with W in (out, in) layout as nn.Linear stores it. x: (..., in) → (..., out) */
    public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        NDArray y = x.matMul(weight.transpose());
        return bias == null ? y : y.add(bias);
    }

    /** y = x W + b, with W in (in, out) layout as GPT-2's Conv1D stores it. */
    public static NDArray conv1d(NDArray x, NDArray weight, NDArray bias) {
        return x.matMul(weight).add(bias);
    }

    /** RMSNorm: x / sqrt(mean(x²) + eps) * w, over the last axis; statistics in float32 whatever x's type. */
    public static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        NDArray x32 = float32(x);
        NDArray meanSquare = x32.mul(x32).mean(new int[]{-1}, true);
        NDArray inverseRms = scalar(x32, 1f).div(meanSquare.add(scalar(x32, (float) eps)).sqrt());
        return x32.mul(inverseRms).toType(x.getDataType(), false).mul(weight);
    }

    /** LayerNorm: (x - mean) / sqrt(var + eps) * w + b, over the last axis; statistics in float32. */
    public static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, double eps) {
        NDArray x32 = float32(x);
        NDArray centered = x32.sub(x32.mean(new int[]{-1}, true));
        NDArray variance = centered.mul(centered).mean(new int[]{-1}, true);
        return centered.div(variance.add(scalar(x32, (float) eps)).sqrt()).toType(x.getDataType(), false)
                .mul(weight).add(bias);
    }

    /** x as float32 (itself when it already is). */
    public static NDArray float32(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
    }

    /** SiLU(x) = x * sigmoid(x), written out (DJL's swish multiplies by a Java number). */
    public static NDArray silu(NDArray x) {
        return x.mul(ai.djl.nn.Activation.sigmoid(x));
    }

    /** GPT-2's gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x³))). */
    public static NDArray geluTanh(NDArray x) {
        NDArray inner = x.add(x.mul(x).mul(x).mul(scalar(x, 0.044715f))).mul(scalar(x, (float) Math.sqrt(2 / Math.PI)));
        return x.mul(scalar(x, 0.5f)).mul(inner.tanh().add(scalar(x, 1f)));
    }

    /**
     * cos and sin of the rotary angles, as HF's rotary embedding returns them: angle[t, i] =
     * position[t] · inv_freq[i] over the two halves (rotate_half layout), times the rope type's
     * attention scaling (yarn). positions: (B, T) → {cos, sin} each (B, 1, T, hs) in {@code type}
     */
    public static NDArray[] rotaryAngles(NDArray positions, double[] inverseFrequencies, double scaling, DataType type) {
        NDManager m = positions.getManager();
        float[] inv = new float[inverseFrequencies.length];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = (float) inverseFrequencies[i];
        }
        NDArray freqs = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(m.create(inv)); // (B, T, hs/2)
        NDArray angles = NDArrays.concat(new NDList(freqs, freqs), -1).expandDims(1);                 // (B, 1, T, hs)
        NDArray cos = angles.cos();
        NDArray sin = angles.sin();
        if (scaling != 1.0) {
            cos = cos.mul(scalar(cos, (float) scaling));
            sin = sin.mul(scalar(sin, (float) scaling));
        }
        return new NDArray[]{cos.toType(type, false), sin.toType(type, false)};
    }

    /**
     * Rotary position embedding in Hugging Face's convention (rotate_half over the two halves of the
     * head dimension, not interleaved pairs): x·cos + rotate_half(x)·sin. x: (B, H, T, hs) → (B, H, T, hs)
     */
    public static NDArray applyRotary(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    /** Plain RoPE with base {@code theta} (tests and references). x: (B, H, T, hs), positions: (B, T) */
    public static NDArray rope(NDArray x, NDArray positions, double theta) {
        int dim = (int) x.getShape().get(3);
        NDArray[] cs = rotaryAngles(positions, io.tuneloop.model.hf.Rope.plain(theta, 1).inverseFrequencies(dim, 0), 1,
                x.getDataType());
        return applyRotary(x, cs[0], cs[1]);
    }

    /** GPT-2's activation_function by name (HF's ACT2FN); the config refuses the ones not listed here. */
    public static NDArray activation(NDArray x, String name) {
        return switch (name) {
            case "gelu_new", "gelu_pytorch_tanh" -> geluTanh(x);
            case "gelu" -> x.mul(scalar(x, 0.5f)).mul(x.div(scalar(x, (float) Math.sqrt(2))).erf().add(scalar(x, 1f)));
            case "gelu_fast" -> x.mul(scalar(x, 0.5f)).mul(x.mul(scalar(x, 0.7978845608f))
                    .mul(scalar(x, 1f).add(x.mul(x).mul(scalar(x, 0.044715f)))).tanh().add(scalar(x, 1f)));
            case "quick_gelu" -> x.mul(ai.djl.nn.Activation.sigmoid(x.mul(scalar(x, 1.702f))));
            case "relu" -> x.maximum(scalar(x, 0f));
            case "silu", "swish" -> silu(x);
            case "tanh" -> x.tanh();
            default -> throw new IllegalArgumentException("unsupported activation " + name);
        };
    }

    /**
     * Scaled dot-product attention with grouped key/value heads.
     * q: (B, H, T, hs); k, v: (B, KV, S, hs); mask: (B, 1, T, S) additive → (B, H, T, hs)
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask) {
        long heads = q.getShape().get(1);
        long kvHeads = k.getShape().get(1);
        if (heads != kvHeads) {
            k = repeatKv(k, heads / kvHeads);
            v = repeatKv(v, heads / kvHeads);
        }
        float scale = (float) (1.0 / Math.sqrt(q.getShape().get(3)));
        // scores, mask and softmax in float32: a half-precision mask would overflow, a half softmax lose mass
        NDArray scores = float32(q.matMul(k.transpose(0, 1, 3, 2))).mul(scalar(q, scale)).add(mask); // (B, H, T, S)
        return scores.softmax(-1).toType(v.getDataType(), false).matMul(v);
    }

    /** Each key/value head serves {@code groups} consecutive query heads: (B, KV, S, hs) → (B, KV*groups, S, hs). */
    static NDArray repeatKv(NDArray x, long groups) {
        Shape s = x.getShape();
        return x.expandDims(2).repeat(2, groups).reshape(s.get(0), s.get(1) * groups, s.get(2), s.get(3));
    }

    /** (B, T, C) → (B, H, T, C/H) */
    static NDArray splitHeads(NDArray x, long heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** (B, H, T, hs) → (B, T, H*hs) */
    static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }
}
