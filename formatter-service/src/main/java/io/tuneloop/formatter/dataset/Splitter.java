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
    private final double reviewFraction;

    public Splitter(double validationFraction) {
        this(validationFraction, 0);
    }

    /** Validation takes the bottom of the unit interval and the review pool its top, so neither moves the other. */
    public Splitter(double validationFraction, double reviewFraction) {
        if (validationFraction < 0 || reviewFraction < 0 || validationFraction + reviewFraction >= 1) {
            throw new IllegalArgumentException("validation (" + validationFraction + ") and review (" + reviewFraction
                    + ") fractions must be >= 0 and leave records to train on");
        }
        this.validationFraction = validationFraction;
        this.reviewFraction = reviewFraction;
    }

    public String splitOf(String recordId) {
        double unit = unitInterval(recordId);
        return unit < validationFraction ? VALIDATION : unit >= 1 - reviewFraction ? Splits.REVIEW : TRAIN;
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
