package io.tuneloop.jinja;

import java.util.AbstractList;

/** Python's range: a sequence of ints that prints as {@code range(0, 3)} and equals no list. */
final class PyRange extends AbstractList<Object> {
    private final long start;
    private final long step;
    private final long stop;
    private final int size;

    PyRange(long start, long stop, long step, int size) {
        this.start = start;
        this.stop = stop;
        this.step = step;
        this.size = size;
    }

    @Override
    public Object get(int index) {
        return start + index * step;
    }

    @Override
    public int size() {
        return size;
    }

    /** range(...)[from:to:stride] is again a range. */
    PyRange sliced(long from, long to, long stride, int count) {
        return new PyRange(start + from * step, start + to * step, step * stride, count);
    }

    String printed() {
        return "range(" + start + ", " + stop + (step == 1 ? "" : ", " + step) + ")";
    }
}
