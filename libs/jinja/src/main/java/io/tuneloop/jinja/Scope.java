package io.tuneloop.jinja;

import java.util.HashMap;
import java.util.Map;

/**
 * Variables visible at one point of a render. Loop bodies, macros and {@code with} blocks get a
 * child scope, so what they {@code set} does not leak out (jinja2's scoping; {@code if} has none).
 */
final class Scope {
    /** What {@link #lookup} returns for a name no scope defines. */
    static final Object NOT_FOUND = new Object();

    private final Scope parent;
    private final Map<String, Object> vars;

    Scope(Scope parent) {
        this(parent, new HashMap<>());
    }

    private Scope(Scope parent, Map<String, Object> vars) {
        this.parent = parent;
        this.vars = vars;
    }

    static Scope root(Map<String, Object> vars) {
        return new Scope(null, vars);
    }

    Object lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Object value = s.vars.getOrDefault(name, NOT_FOUND);
            if (value != NOT_FOUND) {
                return value;
            }
        }
        return NOT_FOUND;
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }
}
