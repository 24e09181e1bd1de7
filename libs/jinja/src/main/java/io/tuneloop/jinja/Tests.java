package io.tuneloop.jinja;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** jinja2's built-in tests ({@code value is name(args)}), with jinja2's results. */
final class Tests {
    /** A test as the engine calls it. */
    interface Test {
        boolean test(Render render, Object value, List<Object> args, Map<String, Object> kwargs);
    }

    static final Map<String, Test> BUILTIN = builtins();

    private Tests() {
    }

    private static Test unary(java.util.function.Predicate<Object> p, String name) {
        return (r, v, a, k) -> {
            Args.bind(name, a, k);
            return p.test(v);
        };
    }

    private static Test binary(java.util.function.BiPredicate<Object, Object> p, String name) {
        return (r, v, a, k) -> p.test(v, Args.bind(name, a, k, "other").required(0));
    }

    private static Map<String, Test> builtins() {
        Map<String, Test> t = new HashMap<>();
        t.put("odd", unary(v -> Py.eq(Py.mod(v, 2L), 1L), "odd"));
        t.put("even", unary(v -> Py.eq(Py.mod(v, 2L), 0L), "even"));
        t.put("divisibleby", binary((v, n) -> Py.eq(Py.mod(v, n), 0L), "divisibleby"));
        t.put("defined", unary(v -> !(v instanceof Undefined), "defined"));
        t.put("undefined", unary(v -> v instanceof Undefined, "undefined"));
        t.put("filter", (r, v, a, k) -> {
            Args.bind("filter", a, k);
            return Py.isString(v) && (r.env.filter(Py.str(v)) != null || Filters.UNSUPPORTED.contains(Py.str(v)));
        });
        t.put("test", unary(v -> Py.isString(v) && BUILTIN.containsKey(Py.str(v)), "test"));
        t.put("none", unary(v -> v == null, "none"));
        t.put("boolean", unary(v -> v instanceof Boolean, "boolean"));
        t.put("false", unary(v -> Boolean.FALSE.equals(v), "false"));
        t.put("true", unary(v -> Boolean.TRUE.equals(v), "true"));
        t.put("integer", unary(v -> v instanceof Long, "integer"));
        t.put("float", unary(v -> v instanceof Double, "float"));
        t.put("lower", unary(v -> {
            String s = Py.str(v);
            return s.codePoints().anyMatch(c -> Character.isLowerCase(c) || Character.isUpperCase(c))
                    && s.codePoints().noneMatch(c -> Character.isUpperCase(c) || Character.isTitleCase(c));
        }, "lower"));
        t.put("upper", unary(v -> {
            String s = Py.str(v);
            return s.codePoints().anyMatch(c -> Character.isLowerCase(c) || Character.isUpperCase(c))
                    && s.codePoints().noneMatch(c -> Character.isLowerCase(c) || Character.isTitleCase(c));
        }, "upper"));
        t.put("string", unary(Py::isString, "string"));
        t.put("mapping", unary(v -> v instanceof Map, "mapping"));
        t.put("number", unary(Py::isNumber, "number"));
        // len() and __getitem__: Undefined has both (they fail or give nothing), dict views have no __getitem__
        t.put("sequence", unary(v -> Py.isString(v) || v instanceof Collection && !(v instanceof PyView) || v instanceof Map
                || v instanceof Undefined, "sequence"));
        t.put("iterable", unary(v -> Py.isString(v) || v instanceof Collection || v instanceof Map
                || v instanceof Undefined || v instanceof PyIterator, "iterable"));
        t.put("callable", unary(v -> v instanceof PyCallable || v instanceof Undefined, "callable"));
        t.put("sameas", binary((v, o) -> v == o || v == null && o == null
                || (v instanceof Boolean || v instanceof Long) && v.equals(o), "sameas"));
        t.put("escaped", unary(v -> v instanceof Markup, "escaped"));
        t.put("in", binary((v, seq) -> Py.contains(seq, v), "in"));
        Test eq = binary(Py::eq, "eq");
        Test ne = binary((a, b) -> !Py.eq(a, b), "ne");
        Test gt = binary((a, b) -> Py.ordered(">", a, b), "gt");
        Test ge = binary((a, b) -> Py.ordered(">=", a, b), "ge");
        Test lt = binary((a, b) -> Py.ordered("<", a, b), "lt");
        Test le = binary((a, b) -> Py.ordered("<=", a, b), "le");
        for (String name : new String[]{"==", "eq", "equalto"}) {
            t.put(name, eq);
        }
        for (String name : new String[]{"!=", "ne"}) {
            t.put(name, ne);
        }
        for (String name : new String[]{">", "gt", "greaterthan"}) {
            t.put(name, gt);
        }
        for (String name : new String[]{">=", "ge"}) {
            t.put(name, ge);
        }
        for (String name : new String[]{"<", "lt", "lessthan"}) {
            t.put(name, lt);
        }
        for (String name : new String[]{"<=", "le"}) {
            t.put(name, le);
        }
        return Map.copyOf(t);
    }
}
