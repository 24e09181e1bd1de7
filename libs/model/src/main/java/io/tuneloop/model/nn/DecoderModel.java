package io.tuneloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.hf.ModelConfig;

import java.util.Map;

/**
 * A decoder-only language model: token ids in, next-token logits out. Parameters carry their
 * Hugging Face names and layouts, so loading and saving is a copy of the map.
 *
 * <p>Shapes: B batch, T new tokens, P cached (past) tokens, C hidden size, V vocabulary.
 */
public interface DecoderModel extends AutoCloseable {

    ModelConfig config();

    /** Every parameter by its Hugging Face name, in the model's own manager. */
    Map<String, NDArray> parameters();

    /**
     * @param inputIds  (B, T) int64 token ids
     * @param positions (B, T) int64 position of each token in its sequence
     * @param mask      (B, 1, T, P+T) float32, added to attention scores: 0 = may attend, -inf = may not
     * @param cache     keys/values of the P past tokens, extended with these T; null when not caching
     * @return logits (B, T, V) float32
     */
    NDArray forward(NDArray inputIds, NDArray positions, NDArray mask, KvCache cache);

    /**
     * Attaches every parameter to {@code scope} until it closes, so the intermediate results of
     * operations that a parameter receives (DJL puts a result in its receiver's manager) are freed
     * with the scope instead of piling up in the model's manager.
     */
    default void borrowParameters(NDManager scope) {
        for (NDArray p : parameters().values()) {
            p.tempAttach(scope);
        }
    }

    /** Routes the targeted projections through LoRA adapters (null removes them). */
    void useAdapters(LoraAdapters adapters);

    @Override
    void close();
}
