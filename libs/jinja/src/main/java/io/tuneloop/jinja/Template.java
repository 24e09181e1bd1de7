package io.tuneloop.jinja;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled template. Rendering inserts every value as text: a value that contains {@code {{ }}}
 * or {@code {% %}} comes out literally, because values are never parsed. Thread-safe.
 */
public final class Template {
    private final Environment env;
    private final List<Stmt> body;

    Template(Environment env, List<Stmt> body) {
        this.env = env;
        this.body = body;
    }

    /**
     * Renders with {@code context} (String, Number, Boolean, null, List, Map values, converted to
     * Python's types); the context's names shadow the environment's globals.
     */
    public String render(Map<String, ?> context) {
        Render render = new Render(env);
        Map<String, Object> root = new HashMap<>(env.globals());
        context.forEach((name, value) -> root.put(name, Py.wrap(value)));
        StringBuilder out = new StringBuilder();
        Stmt.run(body, render, new Scope(Scope.root(root)), out);
        return out.toString();
    }
}
