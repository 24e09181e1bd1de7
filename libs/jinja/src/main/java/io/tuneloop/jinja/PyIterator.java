package io.tuneloop.jinja;

import java.util.List;

/**
 * A Python generator or iterator, as the {@code map}, {@code select}, {@code unique}, {@code items}
 * and {@code reverse} filters return: iterable once, always truthy, without a length, and not
 * printable (Python prints its memory address, which no template output should depend on).
 */
final class PyIterator {
    final String kind;
    private final List<?> items;
    private boolean consumed;

    PyIterator(String kind, List<?> items) {
        this.kind = kind;
        this.items = items;
    }

    /** The remaining items; a second pass sees none, as with a Python generator. */
    List<?> drain() {
        if (consumed) {
            return List.of();
        }
        consumed = true;
        return items;
    }
}
