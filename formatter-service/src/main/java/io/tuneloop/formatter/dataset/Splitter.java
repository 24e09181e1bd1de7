package io.tuneloop.formatter.dataset;

import io.tuneloop.events.dataset.Splits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Deterministic train/validation split: a record's split depends only on its content hash and the
 * fraction, so it lands in the same split in every version that contains it (no leakage between a
 * version's validation set and the next version's training set).
 */
public final class Splitter {
    public static final String TRAIN = Splits.TRAIN;
    public static final String VALIDATION = Splits.VALIDATION;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(io.tuneloop.store.Sha256::digest);

    private final double validationFraction;

    public Splitter(double validationFraction) {
        if (validationFraction < 0 || validationFraction >= 1) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), was " + validationFraction);
        }
        this.validationFraction = validationFraction;
    }

    public String splitOf(String recordId) {
        return unitInterval(recordId) < validationFraction ? VALIDATION : TRAIN;
    }

    /** A uniform number in [0, 1) from the record id. */
    static double unitInterval(String recordId) {
        return unit("split", recordId);
    }

    /**
     * A uniform number in [0, 1) that depends only on {@code purpose} and {@code key}: every random
     * choice of the formatter (split, phrasing, exemplars, mixing order) is one of these, so a version
     * is a function of its inputs and spec.
     */
    public static double unit(String purpose, String key) {
        byte[] hash = SHA256.get().digest((purpose + ":" + key).getBytes(StandardCharsets.UTF_8));
        long bits = ByteBuffer.wrap(hash).getLong() >>> 11; // 53 random bits
        return bits / (double) (1L << 53);
    }
}
