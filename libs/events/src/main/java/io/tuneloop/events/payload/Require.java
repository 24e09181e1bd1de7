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

    static <T extends Collection<?>> T notEmpty(T value, String field) {
        if (value == null || value.isEmpty()) {
            throw new InvalidPayloadException(field + " must not be empty");
        }
        return value;
    }
}
