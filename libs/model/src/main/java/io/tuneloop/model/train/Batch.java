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
    /** segment[b][t]: which example of row b token t belongs to; -1 for padding */
    private final int[][] segment;
    private final int size;
    private final int length;
    private final long learnedTokens;

    private Batch(long[] inputIds, long[] targets, int[][] segment, long learnedTokens) {
        this.inputIds = inputIds;
        this.targets = targets;
        this.segment = segment;
        this.size = segment.length;
        this.length = segment[0].length;
        this.learnedTokens = learnedTokens;
    }

    /** One example per row, padded on the right to the longest. */
    public static Batch of(List<SftExample> examples, long padId) {
        int length = examples.stream().mapToInt(SftExample::length).max().orElseThrow();
        List<List<SftExample>> rows = examples.stream().map(List::of).toList();
        return build(rows, length, padId);
    }

    /**
     * Several examples per row (packing): examples are placed in order into rows of {@code rowLength}
     * tokens, a new row starting when the next one does not fit. Each example attends only to itself
     * and its positions start at 0, so packing changes the speed, not the result.
     */
    public static Batch packed(List<SftExample> examples, int rowLength, long padId) {
        List<List<SftExample>> rows = new java.util.ArrayList<>();
        List<SftExample> row = new java.util.ArrayList<>();
        int used = 0;
        for (SftExample e : examples) {
            if (e.length() > rowLength) {
                throw new IllegalArgumentException("an example of " + e.length() + " tokens does not fit a packed row of "
                        + rowLength);
            }
            if (used + e.length() > rowLength) {
                rows.add(row);
                row = new java.util.ArrayList<>();
                used = 0;
            }
            row.add(e);
            used += e.length();
        }
        rows.add(row);
        return build(rows, rowLength, padId);
    }

    private static Batch build(List<List<SftExample>> rows, int length, long padId) {
        int size = rows.size();
        long[] ids = new long[size * length];
        long[] targets = new long[size * length];
        int[][] segment = new int[size][length];
        Arrays.fill(ids, padId);
        Arrays.fill(targets, IGNORE);
        long learned = 0;
        for (int b = 0; b < size; b++) {
            Arrays.fill(segment[b], -1);
            int offset = 0;
            for (int s = 0; s < rows.get(b).size(); s++) {
                SftExample e = rows.get(b).get(s);
                for (int t = 0; t < e.length(); t++) {
                    ids[b * length + offset + t] = e.tokens()[t];
                    segment[b][offset + t] = s;
                    if (t + 1 < e.length() && e.trained()[t + 1]) {
                        targets[b * length + offset + t] = e.tokens()[t + 1];
                        learned++;
                    }
                }
                offset += e.length();
            }
        }
        return new Batch(ids, targets, segment, learned);
    }

    /** Learned (unmasked) target tokens in this batch. */
    public long learnedTokens() {
        return learnedTokens;
    }

    /** Real (non-padding) tokens, for throughput figures. */
    public long realTokens() {
        long n = 0;
        for (int[] row : segment) {
            for (int s : row) {
                if (s >= 0) {
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
        return AttentionMasks.packedPositions(m, segment);
    }

    public NDArray mask(NDManager m) {
        return AttentionMasks.packed(m, segment);
    }
}
