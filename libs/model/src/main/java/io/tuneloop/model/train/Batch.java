package io.tuneloop.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.nn.AttentionMasks;

import java.util.Arrays;
import java.util.List;

/**
 * Examples padded on the right into (B, T) arrays, with next-token targets: target[b][t] is
 * token[b][t+1] where that token is learned, else {@link #IGNORE}. Padding is never a target,
 * while the eos at the end of a response is one (it is a trained token, not padding, even where
 * the pad and eos ids coincide).
 */
public final class Batch {
    public static final long IGNORE = -100;

    private final long[] inputIds;
    private final long[] targets;
    private final boolean[][] valid;
    private final int size;
    private final int length;
    private final long learnedTokens;

    private Batch(long[] inputIds, long[] targets, boolean[][] valid, int size, int length, long learnedTokens) {
        this.inputIds = inputIds;
        this.targets = targets;
        this.valid = valid;
        this.size = size;
        this.length = length;
        this.learnedTokens = learnedTokens;
    }

    public static Batch of(List<SftExample> examples, long padId) {
        int size = examples.size();
        int length = examples.stream().mapToInt(SftExample::length).max().orElseThrow();
        long[] ids = new long[size * length];
        long[] targets = new long[size * length];
        boolean[][] valid = new boolean[size][length];
        Arrays.fill(ids, padId);
        Arrays.fill(targets, IGNORE);
        long learned = 0;
        for (int b = 0; b < size; b++) {
            SftExample e = examples.get(b);
            for (int t = 0; t < e.length(); t++) {
                ids[b * length + t] = e.tokens()[t];
                valid[b][t] = true;
                if (t + 1 < e.length() && e.trained()[t + 1]) {
                    targets[b * length + t] = e.tokens()[t + 1];
                    learned++;
                }
            }
        }
        return new Batch(ids, targets, valid, size, length, learned);
    }

    /** Learned (unmasked) target tokens in this batch. */
    public long learnedTokens() {
        return learnedTokens;
    }

    /** Real (non-padding) tokens, for throughput figures. */
    public long realTokens() {
        long n = 0;
        for (boolean[] row : valid) {
            for (boolean v : row) {
                if (v) {
                    n++;
                }
            }
        }
        return n;
    }

    public int size() {
        return size;
    }

    public int length() {
        return length;
    }

    public NDArray inputIds(NDManager m) {
        return m.create(inputIds, new Shape(size, length));
    }

    public NDArray targets(NDManager m) {
        return m.create(targets, new Shape(size, length));
    }

    public NDArray positions(NDManager m) {
        return AttentionMasks.positions(m, valid, 0, length);
    }

    public NDArray mask(NDManager m) {
        return AttentionMasks.causal(m, valid, 0, length);
    }
}
