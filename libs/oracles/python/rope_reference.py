#!/usr/bin/env python3
"""Independent numpy reference for Hugging Face transformers' rotary position embeddings (RoPE).

Usage:  python3 rope_reference.py CASES.json  > out.json

CASES.json is a JSON list of cases (or {"cases": [...]}).  Each case:
  {
    "id": "llama32-1b",
    "config": { ...config.json fields: hidden_size, num_attention_heads, head_dim?, max_position_embeddings,
                rope_theta?, rope_scaling? | rope_parameters?, partial_rotary_factor?,
                original_max_position_embeddings? (top level, Phi-3 style, longrope only) ... },
    "seq_len": N,              # the forward's seq_len = max(position_ids) + 1 (used by dynamic / longrope)
    "positions": [0, 1, ...],  # positions to emit cos/sin for
    "prior_seq_lens": [...],   # optional, dynamic only: seq_lens of earlier forward calls on the same
                               #   rotary module (HF's dynamic update is stateful, see DynamicState)
    "dtype": "float64",        # optional: "float32" emulates HF's float32 arithmetic (inv_freq, angles, cos/sin)
    "yarn_semantics": "current"  # optional: "current" (transformers >= 4.56 and 5.x, default),
                               #   "override" (4.48 .. 4.55: factor := max_pos / original_max_pos when
                               #   original_max_position_embeddings is in rope_scaling),
                               #   "legacy" (4.43 .. 4.47: correction range from max_position_embeddings,
                               #   attention_factor = 0.1 ln(factor) + 1, no mscale / truncate)
  }

Output (stdout): JSON list, one object per case:
  {"id", "rope_type", "layout", "dim", "head_dim", "inv_freq", "attention_scaling", "cos", "sin",
   "default_inv_freq", "changed_pairs"}
cos/sin are [len(positions)][dim] in the rotate-half layout emb = concat(freqs, freqs), already multiplied by
attention_scaling, exactly like `LlamaRotaryEmbedding.forward` returns them.  dim == head_dim unless a
partial_rotary_factor < 1 is configured (then only the rotated prefix is returned).

Formula sources (read from the transformers sources, not copied):
  * transformers 4.5x  src/transformers/modeling_rope_utils.py (`_compute_*_parameters`, `dynamic_rope_update`)
    and src/transformers/models/llama/{configuration,modeling}_llama.py (`LlamaRotaryEmbedding`).
  * transformers 5.x   src/transformers/modeling_rope_utils.py (`RotaryEmbeddingConfigMixin.
    convert_rope_params_to_dict`, `standardize_rope_params`, `validate_rope`) and
    models/llama/modeling_llama.py (`LlamaRotaryEmbedding.compute_default_rope_parameters`).
  * YaRN factor semantics: transformers issue #38224, fixed by PR #40320 (released in 4.56).
Pure numpy, no torch.
"""
import json
import math
import sys

import numpy as np

KNOWN_TYPES = ("default", "linear", "dynamic", "yarn", "longrope", "llama3")


class RopeError(ValueError):
    pass


# ----------------------------------------------------------------------------------------------------------------
# Config normalisation
# ----------------------------------------------------------------------------------------------------------------
def normalise(config):
    """Return (params, layout, head_dim) with params a flat dict holding rope_type, rope_theta, ... .

    transformers 5.x `convert_rope_params_to_dict`: rope_parameters = rope_scaling or rope_parameters or {};
    rope_parameters.setdefault("rope_theta", config.rope_theta or 10000.0); then `standardize_rope_params`:
    rope_type = rope_type or type or "default"; top-level partial_rotary_factor is copied in; for llama3 / yarn /
    longrope original_max_position_embeddings defaults to max_position_embeddings (a top-level
    original_max_position_embeddings, Phi-3 style, takes priority).
    transformers 4.x keeps rope_theta top level and rope_scaling = {type|rope_type, factor, ...}; LlamaConfig copies
    rope_scaling["type"] into rope_scaling["rope_type"] (so in 4.x "type" wins over "rope_type"; in 5.x the
    opposite) -- a config with both keys disagreeing is rejected here as ambiguous.
    """
    rs = config.get("rope_scaling")
    rp = config.get("rope_parameters")
    if rs is not None and not isinstance(rs, dict):
        raise RopeError("rope_scaling must be an object or null")
    if rp is not None and not isinstance(rp, dict):
        raise RopeError("rope_parameters must be an object or null")
    if rp and any(isinstance(v, dict) for v in rp.values()):
        raise RopeError("per-layer-type rope_parameters (nested dicts) are not a Llama-family layout")
    if rs:  # 5.x: `rope_scaling or rope_parameters` -> a non-empty rope_scaling wins
        layout, src = ("4.x rope_scaling" if not rp else "4.x rope_scaling (rope_parameters ignored)"), rs
    elif rp:
        layout, src = "5.x rope_parameters", rp
    else:
        layout, src = "none", {}
    params = dict(src)

    if "type" in params and "rope_type" in params and params["type"] != params["rope_type"]:
        raise RopeError(f"ambiguous rope type: type={params['type']!r} rope_type={params['rope_type']!r}")
    rope_type = params.get("rope_type", params.get("type", "default"))
    params.pop("type", None)
    params["rope_type"] = rope_type
    if rope_type not in KNOWN_TYPES:
        # e.g. "mrope" (Qwen2-VL maps it to "default" in its own config class; a Llama config with it crashes in HF
        # with KeyError in ROPE_INIT_FUNCTIONS), "ntk" (only existed in a 4.43 dev snapshot), "su"/"longrope" aliases.
        raise RopeError(f"unsupported rope_type {rope_type!r}")

    if "rope_theta" not in params or params["rope_theta"] is None:
        params["rope_theta"] = config.get("rope_theta", 10000.0)
    if params["rope_theta"] is None:
        params["rope_theta"] = 10000.0
    if "partial_rotary_factor" in config and config["partial_rotary_factor"] is not None:
        params["partial_rotary_factor"] = config["partial_rotary_factor"]
    mpe = config["max_position_embeddings"]
    if rope_type in ("llama3", "yarn", "longrope"):
        if config.get("original_max_position_embeddings") is not None:
            params["original_max_position_embeddings"] = config["original_max_position_embeddings"]
        elif params.get("original_max_position_embeddings") is None:
            # 5.x default; in 4.x llama3 requires the key (KeyError) and yarn falls back to max_position_embeddings
            params["original_max_position_embeddings"] = mpe
    for k in ("factor", "beta_fast", "beta_slow", "low_freq_factor", "high_freq_factor"):
        if params.get(k) is not None:
            params[k] = float(params[k])
    if rope_type in ("linear", "dynamic", "llama3") and params.get("factor") is None:
        raise RopeError(f"rope_type {rope_type!r} needs 'factor'")

    hd = config.get("head_dim")
    head_dim = int(hd) if hd else config["hidden_size"] // config["num_attention_heads"]
    return params, layout, head_dim


def rotary_dim(params, head_dim):
    # _compute_default_rope_parameters (4.x): dim = int(head_dim * partial_rotary_factor).
    # NOTE 5.x LlamaRotaryEmbedding.compute_default_rope_parameters ignores partial_rotary_factor (dim = head_dim)
    # while the shared linear/dynamic/yarn/llama3 functions honour it; and Llama's apply_rotary_pos_emb rotates the
    # whole head, so any factor < 1 fails (shape mismatch) in HF Llama.  Treat < 1 as unsupported for Llama.
    prf = params.get("partial_rotary_factor", 1.0)
    if prf is None:
        prf = 1.0
    return int(head_dim * prf)


# ----------------------------------------------------------------------------------------------------------------
# inv_freq computations (float64 unless dtype == float32)
# ----------------------------------------------------------------------------------------------------------------
def _ft(dtype):
    return np.float32 if dtype == "float32" else np.float64


def base_inv_freq(base, dim, dtype):
    # inv_freq = 1 / base ** (arange(0, dim, 2) / dim)   (all versions)
    f = _ft(dtype)
    exps = (np.arange(0, dim, 2, dtype=np.int64).astype(f) / f(dim)).astype(f)
    return (f(1.0) / (f(base) ** exps)).astype(f)


def compute(params, config, head_dim, seq_len=None, dtype="float64", yarn_semantics="current"):
    """Returns (inv_freq, attention_scaling) the way HF's rope init function does for `seq_len`."""
    t = params["rope_type"]
    base = float(params["rope_theta"])
    dim = rotary_dim(params, head_dim)
    mpe = config["max_position_embeddings"]
    f = _ft(dtype)

    if t == "default":
        return base_inv_freq(base, dim, dtype), 1.0

    if t == "linear":  # _compute_linear_scaling_rope_parameters: inv_freq / factor
        return (base_inv_freq(base, dim, dtype) / f(params["factor"])).astype(f), 1.0

    if t == "dynamic":  # _compute_dynamic_ntk_parameters
        factor = params["factor"]
        s = mpe if seq_len is None else max(int(seq_len), mpe)  # seq_len <= max_pos -> max_pos (no change)
        new_base = base * ((factor * s / mpe) - (factor - 1)) ** (dim / (dim - 2))
        return base_inv_freq(new_base, dim, dtype), 1.0

    if t == "llama3":  # _compute_llama3_parameters
        inv = base_inv_freq(base, dim, dtype)
        factor = params["factor"]
        lo, hi = params["low_freq_factor"], params["high_freq_factor"]
        old = params["original_max_position_embeddings"]
        low_wl, high_wl = old / lo, old / hi
        wl = (f(2 * math.pi) / inv).astype(f)
        out = np.where(wl > low_wl, inv / f(factor), inv).astype(f)
        smooth = ((f(old) / wl - f(lo)) / f(hi - lo)).astype(f)
        smoothed = ((1 - smooth) * out / f(factor) + smooth * out).astype(f)
        medium = ~(wl < high_wl) & ~(wl > low_wl)
        return np.where(medium, smoothed, out).astype(f), 1.0

    if t == "yarn":  # _compute_yarn_parameters
        factor = params.get("factor")
        orig = params.get("original_max_position_embeddings") or mpe
        attention_factor = params.get("attention_factor")
        mscale, mscale_all = params.get("mscale"), params.get("mscale_all_dim")
        truncate = params.get("truncate", True)
        if yarn_semantics == "legacy":  # 4.43-4.47
            orig, mscale, mscale_all, truncate = mpe, None, None, True
        elif yarn_semantics == "override":  # 4.48-4.55
            if "original_max_position_embeddings" in (config.get("rope_scaling") or config.get("rope_parameters") or {}):
                factor = mpe / orig
            else:
                orig = mpe
        if factor is None:  # 5.x: factor = max_position_embeddings / original_max_position_embeddings
            factor = mpe / orig

        def get_mscale(scale, m=1.0):
            return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0

        if attention_factor is None:
            if yarn_semantics == "legacy":
                attention_factor = 0.1 * math.log(factor) + 1.0
            elif mscale and mscale_all:
                attention_factor = float(get_mscale(factor, mscale) / get_mscale(factor, mscale_all))
            else:
                attention_factor = get_mscale(factor)
        beta_fast = params.get("beta_fast") or 32
        beta_slow = params.get("beta_slow") or 1

        def corr_dim(rot):
            return (dim * math.log(orig / (rot * 2 * math.pi))) / (2 * math.log(base))

        low, high = corr_dim(beta_fast), corr_dim(beta_slow)
        if truncate:
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, dim - 1)
        if low == high:
            high += 0.001
        ramp = np.clip((np.arange(dim // 2, dtype=np.float64) - low) / (high - low), 0, 1).astype(f)
        pos_freqs = (f(base) ** (np.arange(0, dim, 2).astype(f) / f(dim))).astype(f)
        extrap = (f(1.0) / pos_freqs).astype(f)
        interp = (f(1.0) / (f(factor) * pos_freqs)).astype(f)
        extrap_factor = (1 - ramp).astype(f)
        return (interp * (1 - extrap_factor) + extrap * extrap_factor).astype(f), float(attention_factor)

    if t == "longrope":  # _compute_longrope_parameters (5.x semantics)
        orig = params["original_max_position_embeddings"]
        factor = params.get("factor")
        if factor is None:
            factor = mpe / orig
        attention_factor = params.get("attention_factor")
        if attention_factor is None:
            attention_factor = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(orig))
        ext = params["long_factor"] if (seq_len and seq_len > orig) else params["short_factor"]
        ext = np.asarray(ext, dtype=f)
        if len(ext) != dim // 2:
            raise RopeError(f"longrope factor list must have {dim // 2} entries")
        shape = (np.arange(0, dim, 2, dtype=np.int64).astype(f) / f(dim)).astype(f)
        return (f(1.0) / (ext * f(base) ** shape)).astype(f), float(attention_factor)

    raise RopeError(t)


class DynamicState:
    """`dynamic_rope_update` / `_dynamic_frequency_update` (4.4x-5.x), stateful per rotary module.

    max_seq_len_cached = original_max_seq_len = max_position_embeddings at init; inv_freq = default.
    Each forward: seq_len = max(position_ids) + 1
      if seq_len > max_seq_len_cached: inv_freq = dynamic(seq_len); max_seq_len_cached = seq_len      (growth)
      if seq_len < original_max_seq_len and max_seq_len_cached > original_max_seq_len:
          inv_freq = original (default) inv_freq; max_seq_len_cached = original_max_seq_len           (reset)
    So it never shrinks while seq_len stays >= max_position_embeddings; cached K/V keep the rotation they got.
    """

    def __init__(self, params, config, head_dim, dtype):
        self.args = (params, config, head_dim)
        self.dtype = dtype
        self.orig_len = config["max_position_embeddings"]
        self.cached = self.orig_len
        self.original = compute(params, config, head_dim, None, dtype)
        self.current = self.original

    def step(self, seq_len):
        if seq_len > self.cached:
            self.current = compute(*self.args, seq_len=seq_len, dtype=self.dtype)
            self.cached = seq_len
        if seq_len < self.orig_len and self.cached > self.orig_len:
            self.current = self.original
            self.cached = self.orig_len
        return self.current


def run_case(case):
    config = case["config"]
    dtype = case.get("dtype", "float64")
    params, layout, head_dim = normalise(config)
    dim = rotary_dim(params, head_dim)
    positions = case.get("positions", [])
    seq_len = case.get("seq_len")
    if seq_len is None:
        seq_len = (max(positions) + 1) if positions else None
    ys = case.get("yarn_semantics", "current")

    t = params["rope_type"]
    if t == "dynamic":
        st = DynamicState(params, config, head_dim, dtype)
        for s in case.get("prior_seq_lens", []):
            st.step(int(s))
        inv, att = st.step(int(seq_len)) if seq_len is not None else st.current
    elif t == "longrope":
        # longrope_frequency_update: long factors iff max(position_ids)+1 > original_max_position_embeddings;
        # attention_scaling stays the init-time value (computed with seq_len=None).
        _, att = compute(params, config, head_dim, None, dtype)
        orig = params["original_max_position_embeddings"]
        inv, _ = compute(params, config, head_dim, orig + 1 if (seq_len and seq_len > orig) else None, dtype)
    else:
        inv, att = compute(params, config, head_dim, seq_len, dtype, ys)

    f = _ft(dtype)
    pos = np.asarray(positions, dtype=np.int64).astype(f)
    freqs = (pos[:, None] * inv[None, :]).astype(f)   # inv_freq @ position_ids (float32 in HF)
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos = (np.cos(emb).astype(f) * f(att)).astype(f)
    sin = (np.sin(emb).astype(f) * f(att)).astype(f)

    default_inv = base_inv_freq(float(params["rope_theta"]), dim, dtype)
    changed = int(np.sum(~np.isclose(inv, default_inv, rtol=1e-12 if dtype == "float64" else 1e-6, atol=0)))
    return {
        "id": case.get("id"),
        "rope_type": t,
        "layout": layout,
        "head_dim": head_dim,
        "dim": dim,
        "params": {k: v for k, v in params.items() if k not in ("long_factor", "short_factor")},
        "inv_freq": [float(x) for x in inv],
        "attention_scaling": float(att),
        "default_inv_freq": [float(x) for x in default_inv],
        "changed_pairs": changed,
        "cos": [[float(x) for x in row] for row in cos],
        "sin": [[float(x) for x in row] for row in sin],
    }


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as fh:
        cases = json.load(fh)
    if isinstance(cases, dict):
        cases = cases.get("cases", [cases])
    out = []
    for c in cases:
        try:
            out.append(run_case(c))
        except (RopeError, KeyError) as e:
            out.append({"id": c.get("id"), "error": f"{type(e).__name__}: {e}"})
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
