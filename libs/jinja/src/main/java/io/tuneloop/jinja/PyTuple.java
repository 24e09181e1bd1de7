package io.tuneloop.jinja;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/** A Python tuple: an immutable sequence that prints as {@code (a, b)} and never equals a list. */
public final class PyTuple extends AbstractList<Object> {
    private final Object[] items;

    PyTuple(Object... items) {
        this.items = items;
    }

    static PyTuple of(List<?> items) {
        return new PyTuple(items.toArray());
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PyTuple other && Arrays.equals(items, other.items);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(items);
    }
}
