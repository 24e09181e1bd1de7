package io.tuneloop.jinja;

import java.util.List;
import java.util.Map;

/** Anything a template can call: globals, macros, bound methods of strings, lists and dicts. */
interface PyCallable {
    Object call(Render render, List<Object> args, Map<String, Object> kwargs);

    /** The name Python would print for it. */
    String name();

    /** What {@code {{ f }}} prints, when Python prints something that does not depend on a memory address. */
    default String printed() {
        return null;
    }
}
