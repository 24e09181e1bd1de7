package io.tuneloop.ingest.dedup;

import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.TextFolding;

import java.util.Arrays;

/**
 * MinHash signatures of a record's text over word 3-gram shingles: the fraction of equal signature
 * entries of two records estimates the Jaccard similarity of their shingle sets (Broder).
 *
 * <p>Computed by one-permutation hashing with optimal densification (Shrivastava, ICML 2017): each
 * shingle is hashed once and falls into one of k bins, each bin keeps its minimum, and an empty bin
 * borrows the value of a bin chosen by a hash sequence of its own index, the same for every text, so
 * that equal entries still happen with probability equal to the Jaccard similarity. This costs one
 * hash per shingle instead of k (k = 128 hashes per shingle took 80% of ingest's parse time).
 *
 * <p>Words are maximal runs of letters and digits of the folded text (NFKC, lower case). A shingle
 * is hashed from its words' hashes, never built as a string; a shingle that occurs twice needs no
 * removal, since the minimum over a multiset equals the minimum over its set.
 */
public final class MinHasher {
    private static final int EMPTY = Integer.MAX_VALUE;
    private final int permutations;
    private final long seed;

    /**
     * @param permutations the signature length k (bins)
     * @param seed         selects the hash function; signatures compare only under the same seed
     */
    public MinHasher(int permutations, long seed) {
        if (permutations <= 0) {
            throw new IllegalArgumentException("a signature needs at least one entry");
        }
        this.permutations = permutations;
        this.seed = mix(seed ^ 0x5DEECE66DL);
    }

    public int permutations() {
        return permutations;
    }

    public int[] signature(ParsedRecord record) {
        return signature(String.join(" ", record.texts()));
    }

    public int[] signature(String text) {
        long[] words = wordHashes(TextFolding.fold(text));
        int[] bins = new int[permutations];
        Arrays.fill(bins, EMPTY);
        int count = (int) words[0];
        if (count == 0) {
            return bins;
        }
        // shingle i = words i, i+1, i+2; the last two are shorter (a text of one word still has one)
        for (int i = 1; i <= count; i++) {
            long shingle = mix(seed ^ words[i]);
            if (i + 1 <= count) {
                shingle = mix(shingle ^ words[i + 1]);
            }
            if (i + 2 <= count) {
                shingle = mix(shingle ^ words[i + 2]);
            }
            int bin = range(shingle >>> 32, permutations);
            int value = (int) (shingle & 0x7FFFFFFEL); // below EMPTY
            if (value < bins[bin]) {
                bins[bin] = value;
            }
        }
        int[] signature = bins.clone();
        for (int bin = 0; bin < permutations; bin++) {
            if (bins[bin] != EMPTY) {
                continue;
            }
            for (long attempt = 1; ; attempt++) {
                int donor = range(mix(seed + bin * 0x9E3779B97F4A7C15L + attempt * 0xC2B2AE3D27D4EB4FL) >>> 32,
                        permutations);
                if (bins[donor] != EMPTY) {
                    signature[bin] = bins[donor];
                    break;
                }
            }
        }
        return signature;
    }

    /** FNV-1a hashes of the words of {@code folded}; element 0 holds the count. */
    private static long[] wordHashes(String folded) {
        long[] words = new long[1 + Math.max(4, folded.length() / 4)];
        int count = 0;
        long h = 0;
        boolean inWord = false;
        for (int i = 0; i < folded.length(); ) {
            int cp = folded.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                if (!inWord) {
                    h = 0xcbf29ce484222325L;
                    inWord = true;
                }
                h = (h ^ cp) * 0x100000001b3L;
            } else if (inWord) {
                inWord = false;
                words = append(words, ++count, h);
            }
        }
        if (inWord) {
            words = append(words, ++count, h);
        }
        words[0] = count;
        return words;
    }

    private static long[] append(long[] words, int index, long value) {
        if (index >= words.length) {
            words = Arrays.copyOf(words, words.length * 2);
        }
        words[index] = value;
        return words;
    }

    /** Maps 32 uniform bits onto 0..n-1 without division (Lemire). */
    private static int range(long bits32, int n) {
        return (int) ((bits32 * n) >>> 32);
    }

    /** A 64-bit finaliser (Stafford's mix 13) so that word hashes combine without structure. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
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
}
