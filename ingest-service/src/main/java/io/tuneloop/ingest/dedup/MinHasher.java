package io.tuneloop.ingest.dedup;

import io.tuneloop.ingest.parse.ParsedRecord;

import java.text.Normalizer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * MinHash signatures of a record's text over word 3-gram shingles (Broder): the fraction of equal
 * signature entries of two records estimates the Jaccard similarity of their shingle sets.
 */
public final class MinHasher {
    private final int permutations;
    private final long[] a;
    private final long[] b;

    public MinHasher(int permutations, long seed) {
        this.permutations = permutations;
        this.a = new long[permutations];
        this.b = new long[permutations];
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < permutations; i++) {
            a[i] = random.nextLong() | 1; // odd multipliers: multiply-shift hashing (Dietzfelbinger)
            b[i] = random.nextLong();
        }
    }

    public int permutations() {
        return permutations;
    }

    public int[] signature(ParsedRecord record) {
        StringBuilder text = new StringBuilder();
        if (record.messages() != null) {
            record.messages().forEach(m -> text.append(m.content()).append(' '));
        } else {
            text.append(record.instruction()).append(' ');
            if (record.input() != null) {
                text.append(record.input()).append(' ');
            }
            text.append(record.output());
        }
        return signature(text.toString());
    }

    public int[] signature(String text) {
        String[] words = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT)
                .split("[^\\p{L}\\p{N}]+");
        Set<Long> shingles = new HashSet<>();
        for (int i = 0; i < words.length; i++) {
            if (words[i].isEmpty()) {
                continue;
            }
            String shingle = words[i] + (i + 1 < words.length ? " " + words[i + 1] : "")
                    + (i + 2 < words.length ? " " + words[i + 2] : "");
            shingles.add(hash64(shingle));
        }
        int[] signature = new int[permutations];
        java.util.Arrays.fill(signature, Integer.MAX_VALUE);
        for (long shingle : shingles) {
            for (int i = 0; i < permutations; i++) {
                int h = (int) ((a[i] * shingle + b[i]) >>> 33);
                if (h < signature[i]) {
                    signature[i] = h;
                }
            }
        }
        return signature;
    }

    /** Estimated Jaccard similarity of the records behind two signatures. */
    public static double similarity(int[] x, int[] y) {
        int equal = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == y[i]) {
                equal++;
            }
        }
        return (double) equal / x.length;
    }

    private static long hash64(String s) {
        long h = 0xcbf29ce484222325L; // FNV-1a
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
