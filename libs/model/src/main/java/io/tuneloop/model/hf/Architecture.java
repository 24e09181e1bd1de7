package io.tuneloop.model.hf;

/** The decoder families tuneloop implements. */
public enum Architecture {
    /** Llama, TinyLlama, SmolLM, Mistral, Qwen2: RMSNorm, RoPE, grouped-query attention, SwiGLU. */
    LLAMA,
    /** GPT-2, distilgpt2: learned positions, LayerNorm, GELU, Conv1D weight layout. */
    GPT2
}
