package io.tuneloop.jinja;

import java.util.List;

/**
 * A Python generator or iterator, as the {@code map}, {@code select}, {@code unique}, {@code items}
 * and {@code reverse} filters return: consumed as it is iterated (a second pass sees what is left),
 * always truthy, without a length, and not printable (Python prints its memory address, which no
 * template output should depend on).
 */
final class PyIterator {
    final String kind;
    private final List<?> items;
    private int position;

    PyIterator(String kind, List<?> items) {
        this.kind = kind;
        this.items = items;
    }

    /** The next item, or {@link Py#MISSING} when exhausted. */
    Object next() {
        return position < items.size() ? items.get(position++) : Py.MISSING;
    }

    /** Every remaining item; the iterator is exhausted after. */
    List<?> drain() {
        List<?> rest = items.subList(position, items.size());
        position = items.size();
        return rest;
    }
}
