package io.tuneloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Additive attention masks (0 = may attend, a large negative number = may not) and the matching
 * positions, built in Java from small per-token facts. A finite negative instead of -inf keeps a
 * row that may attend to nothing (a left-pad query) finite, so no NaN reaches the gradients.
 */
public final class AttentionMasks {
    static final float BLOCKED = -1e9f;

    private AttentionMasks() {
    }

    /**
     * Causal attention over padded sequences. {@code keyValid[b][s]} says whether key position s
     * (past and new tokens) is a real token; query t of the new tokens sits at s = past + t.
     * @return (B, 1, T, past+T)
     */
    public static NDArray causal(NDManager manager, boolean[][] keyValid, int past, int newTokens) {
        int batch = keyValid.length;
        int keys = past + newTokens;
        float[] mask = new float[batch * newTokens * keys];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < newTokens; t++) {
                for (int s = 0; s < keys; s++) {
                    boolean allowed = s <= past + t && keyValid[b][s];
                    mask[(b * newTokens + t) * keys + s] = allowed ? 0f : BLOCKED;
                }
            }
        }
        return manager.create(mask, new Shape(batch, 1, newTokens, keys));
    }

    /**
     * Packed sequences: several examples share a row, and a token attends only to earlier tokens of
     * its own example. {@code segment[b][t]} numbers the examples of row b (negative = padding).
     * @return (B, 1, T, T)
     */
    public static NDArray packed(NDManager manager, int[][] segment) {
        int batch = segment.length;
        int length = segment[0].length;
        float[] mask = new float[batch * length * length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                for (int s = 0; s < length; s++) {
                    boolean allowed = s <= t && segment[b][s] == segment[b][t] && segment[b][t] >= 0;
                    mask[(b * length + t) * length + s] = allowed ? 0f : BLOCKED;
                }
            }
        }
        return manager.create(mask, new Shape(batch, 1, length, length));
    }

    /**
     * {@code mask} with every key further back than the sliding window blocked: query t (at key index
     * S - T + t) sees key s only when s > S - T + t - window, the last {@code window} positions
     * itself included, as HF's sliding-window masks. The mask itself when no key is that far back.
     * (B, 1, T, S) → (B, 1, T, S)
     */
    public static NDArray withinWindow(NDArray mask, int window) {
        if (window <= 0) {
            return mask;
        }
        Shape shape = mask.getShape();
        int queries = (int) shape.get(2);
        int keys = (int) shape.get(3);
        if (keys <= window) {
            return mask;
        }
        float[] band = new float[queries * keys];
        int past = keys - queries;
        for (int t = 0; t < queries; t++) {
            for (int s = 0; s < keys; s++) {
                band[t * keys + s] = s <= past + t - window ? BLOCKED : 0f;
            }
        }
        return mask.add(mask.getManager().create(band, new Shape(1, 1, queries, keys)));
    }

    /** Positions that count only real tokens: a token's position is the number of real tokens before it (padding: 0). (B, T) int64 */
    public static NDArray positions(NDManager manager, boolean[][] valid, int past, int newTokens) {
        int batch = valid.length;
        long[] positions = new long[batch * newTokens];
        for (int b = 0; b < batch; b++) {
            long realBefore = 0;
            for (int s = 0; s < past + newTokens; s++) {
                if (s >= past) {
                    positions[b * newTokens + s - past] = valid[b][s] ? realBefore : 0;
                }
                if (valid[b][s]) {
                    realBefore++;
                }
            }
        }
        return manager.create(positions, new Shape(batch, newTokens));
    }

    /** Positions restarting at 0 for each packed example. (B, T) int64 */
    public static NDArray packedPositions(NDManager manager, int[][] segment) {
        int batch = segment.length;
        int length = segment[0].length;
        long[] positions = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            long position = 0;
            for (int t = 0; t < length; t++) {
                position = t > 0 && segment[b][t] == segment[b][t - 1] ? position + 1 : 0;
                positions[b * length + t] = segment[b][t] < 0 ? 0 : position;
            }
        }
        return manager.create(positions, new Shape(batch, length));
    }
}
