package io.tuneloop.events.payload;

import java.util.Collection;

/**
 * Payload validation. Payloads check themselves when constructed (also when Jackson builds them
 * from JSON), so a malformed event fails at the consumer's door with a reason naming the field.
 */
final class Require {
    private Require() {
    }

    static String text(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidPayloadException(field + " is required and must not be blank");
        }
        return value;
    }

    static <T> T present(T value, String field) {
        if (value == null) {
            throw new InvalidPayloadException(field + " is required");
        }
        return value;
    }

    static long nonNegative(long value, String field) {
        if (value < 0) {
            throw new InvalidPayloadException(field + " must be >= 0, was " + value);
        }
        return value;
    }

    static int positive(int value, String field) {
        if (value < 1) {
            throw new InvalidPayloadException(field + " must be >= 1, was " + value);
        }
        return value;
    }

    /** {@link #text} of each (field name, value) pair. */
    static void texts(Object... fieldsAndValues) {
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            text((String) fieldsAndValues[i + 1], (String) fieldsAndValues[i]);
        }
    }

    /** {@link #present} of each (field name, value) pair. */
    static void presents(Object... fieldsAndValues) {
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            present(fieldsAndValues[i + 1], (String) fieldsAndValues[i]);
        }
    }

    /** {@link #nonNegative} of each (field name, value) pair. */
    static void nonNegatives(Object... fieldsAndValues) {
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            nonNegative(((Number) fieldsAndValues[i + 1]).longValue(), (String) fieldsAndValues[i]);
        }
    }

    /** {@link #positive} of each (field name, value) pair. */
    static void positives(Object... fieldsAndValues) {
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            positive(((Number) fieldsAndValues[i + 1]).intValue(), (String) fieldsAndValues[i]);
        }
    }

    static <T extends Collection<?>> T notEmpty(T value, String field) {
        if (value == null || value.isEmpty()) {
            throw new InvalidPayloadException(field + " must not be empty");
        }
        return value;
    }
}
