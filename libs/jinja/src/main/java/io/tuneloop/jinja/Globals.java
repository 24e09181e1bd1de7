package io.tuneloop.jinja;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** jinja2's default globals: range (bounded as the sandbox bounds it), dict, namespace, joiner, cycler. */
final class Globals {
    /** jinja2's sandbox refuses larger ranges. */
    static final long MAX_RANGE = 100_000;

    private Globals() {
    }

    static Map<String, Object> defaults() {
        Map<String, Object> g = new HashMap<>();
        g.put("range", function("range", (r, args, kwargs) -> {
            if (!kwargs.isEmpty() || args.isEmpty() || args.size() > 3) {
                throw TemplateException.type("range expected 1 to 3 integer arguments");
            }
            long start = args.size() == 1 ? 0 : Py.requireInt(args.get(0), "range start");
            long stop = Py.requireInt(args.get(args.size() == 1 ? 0 : 1), "range stop");
            long step = args.size() == 3 ? Py.requireInt(args.get(2), "range step") : 1;
            if (step == 0) {
                throw TemplateException.type("range() arg 3 must not be zero");
            }
            long count = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
            if (count > MAX_RANGE) {
                throw new TemplateException(TemplateException.Kind.LIMIT,
                        "Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE + ").");
            }
            return new PyRange(start, stop, step, (int) count);
        }, "<class 'range'>"));
        g.put("dict", function("dict", (r, args, kwargs) -> {
            Map<Object, Object> out = new LinkedHashMap<>();
            if (args.size() > 1) {
                throw TemplateException.type("dict expected at most 1 argument, got " + args.size());
            }
            if (args.size() == 1) {
                Object source = args.get(0);
                if (source instanceof Map<?, ?> map) {
                    map.forEach((k, v) -> Py.put(out, k, v));
                } else {
                    for (Object pair : Py.iterate(source)) {
                        List<?> kv = Py.iterate(pair);
                        if (kv.size() != 2) {
                            throw TemplateException.type("dictionary update sequence element has length " + kv.size()
                                    + "; 2 is required");
                        }
                        Py.put(out, kv.get(0), kv.get(1));
                    }
                }
            }
            kwargs.forEach((k, v) -> Py.put(out, k, v));
            return out;
        }, "<class 'dict'>"));
        g.put("namespace", function("namespace", (r, args, kwargs) -> {
            Namespace ns = new Namespace();
            for (Object arg : args) {
                if (!(arg instanceof Map<?, ?> map)) {
                    throw TemplateException.type("namespace() takes mappings and keyword arguments");
                }
                map.forEach((k, v) -> ns.attributes.put(Py.str(k), v));
            }
            ns.attributes.putAll(kwargs);
            return ns;
        }, "<class 'jinja2.utils.Namespace'>"));
        g.put("joiner", function("joiner", (r, args, kwargs) -> {
            String separator = Args.bind("joiner", args, kwargs, "sep").string(0, ", ");
            boolean[] used = {false};
            return function("joiner", (r2, a2, k2) -> {
                if (!used[0]) {
                    used[0] = true;
                    return "";
                }
                return separator;
            });
        }, "<class 'jinja2.utils.Joiner'>"));
        g.put("lipsum", function("lipsum", (r, args, kwargs) -> {
            throw TemplateException.unsupported("lipsum() (random text)");
        }));
        g.put("cycler", function("cycler", (r, args, kwargs) -> {
            throw TemplateException.unsupported("cycler()");
        }, "<class 'jinja2.utils.Cycler'>"));
        return g;
    }

    interface Body {
        Object call(Render r, List<Object> args, Map<String, Object> kwargs);
    }

    static PyCallable function(String name, Body body) {
        return function(name, body, null);
    }

    /** A callable that prints as {@code printed} (a class such as dict prints as {@code <class 'dict'>}). */
    static PyCallable function(String name, Body body, String printed) {
        return new PyCallable() {
            @Override
            public Object call(Render render, List<Object> args, Map<String, Object> kwargs) {
                return body.call(render, args, kwargs);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String printed() {
                return printed;
            }
        };
    }
}
