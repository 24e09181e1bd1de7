package io.tuneloop.jinja;

import java.util.List;
import java.util.Map;

/**
 * Binds a call's positional and keyword arguments to named parameters, as Python does, so filters
 * and methods accept {@code indent(2, first=true)} and {@code indent(width=2)} alike.
 */
final class Args {
    private final String function;
    private final String[] names;
    private final Object[] values;

    private Args(String function, String[] names, Object[] values) {
        this.function = function;
        this.names = names;
        this.values = values;
    }

    /** Binds {@code args}/{@code kwargs} to {@code names}; unset parameters read as their defaults. */
    static Args bind(String function, List<Object> args, Map<String, Object> kwargs, String... names) {
        if (args.size() > names.length) {
            throw TemplateException.type(function + "() takes at most " + names.length + " argument(s) ("
                    + args.size() + " given)");
        }
        Object[] values = new Object[names.length];
        java.util.Arrays.fill(values, Py.MISSING);
        for (int i = 0; i < args.size(); i++) {
            values[i] = args.get(i);
        }
        for (var e : kwargs.entrySet()) {
            int at = indexOf(names, e.getKey());
            if (at < 0) {
                throw TemplateException.type(function + "() got an unexpected keyword argument '" + e.getKey() + "'");
            }
            if (values[at] != Py.MISSING) {
                throw TemplateException.type(function + "() got multiple values for argument '" + e.getKey() + "'");
            }
            values[at] = e.getValue();
        }
        return new Args(function, names, values);
    }

    private static int indexOf(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    boolean has(int i) {
        return values[i] != Py.MISSING;
    }

    Object get(int i, Object fallback) {
        return values[i] == Py.MISSING ? fallback : values[i];
    }

    Object required(int i) {
        if (values[i] == Py.MISSING) {
            throw TemplateException.type(function + "() missing required argument: '" + names[i] + "'");
        }
        return values[i];
    }

    boolean bool(int i, boolean fallback) {
        return values[i] == Py.MISSING ? fallback : Py.truthy(values[i]);
    }

    long integer(int i, long fallback) {
        return values[i] == Py.MISSING ? fallback : Py.requireInt(values[i], names[i]);
    }

    /** A str argument; None reads as the fallback (Python's "chars=None"). */
    String string(int i, String fallback) {
        return values[i] == Py.MISSING || values[i] == null ? fallback : Py.requireString(values[i], names[i]);
    }
}
