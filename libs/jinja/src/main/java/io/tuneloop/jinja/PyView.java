package io.tuneloop.jinja;

import java.util.AbstractList;
import java.util.List;

/** What dict.items(), keys() and values() return: a sequence that prints as {@code dict_items([...])}. */
final class PyView extends AbstractList<Object> {
    final String kind;
    private final List<Object> items;

    PyView(String kind, List<Object> items) {
        this.kind = kind;
        this.items = items;
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }
}
