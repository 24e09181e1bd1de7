package io.tuneloop.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Expression nodes of a parsed template; each evaluates to a template value with Python's semantics. */
abstract class Expr {
    final int line;

    Expr(int line) {
        this.line = line;
    }

    abstract Object eval(Render r, Scope s);

    /** A literal: string, number, bool, None. */
    static final class Const extends Expr {
        final Object value;

        Const(Object value, int line) {
            super(line);
            this.value = value;
        }

        @Override
        Object eval(Render r, Scope s) {
            return value;
        }
    }

    static final class Name extends Expr {
        final String name;

        Name(String name, int line) {
            super(line);
            this.name = name;
        }

        @Override
        Object eval(Render r, Scope s) {
            Object value = s.lookup(name);
            return value == Scope.NOT_FOUND ? Undefined.named(name) : value;
        }
    }

    /** A list or tuple display. */
    static final class Sequence extends Expr {
        final List<Expr> items;
        final boolean tuple;

        Sequence(List<Expr> items, boolean tuple, int line) {
            super(line);
            this.items = items;
            this.tuple = tuple;
        }

        @Override
        Object eval(Render r, Scope s) {
            List<Object> values = new ArrayList<>(items.size());
            for (Expr item : items) {
                values.add(item.eval(r, s));
            }
            return tuple ? PyTuple.of(values) : values;
        }
    }

    static final class DictDisplay extends Expr {
        final List<Expr> keys;
        final List<Expr> values;

        DictDisplay(List<Expr> keys, List<Expr> values, int line) {
            super(line);
            this.keys = keys;
            this.values = values;
        }

        @Override
        Object eval(Render r, Scope s) {
            Map<Object, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                Object key = keys.get(i).eval(r, s);
                Py.put(map, key, values.get(i).eval(r, s));
            }
            return map;
        }
    }

    static final class GetAttr extends Expr {
        final Expr target;
        final String name;

        GetAttr(Expr target, String name, int line) {
            super(line);
            this.target = target;
            this.name = name;
        }

        @Override
        Object eval(Render r, Scope s) {
            return Py.getattr(target.eval(r, s), name);
        }
    }

    static final class GetItem extends Expr {
        final Expr target;
        final Expr key;

        GetItem(Expr target, Expr key, int line) {
            super(line);
            this.target = target;
            this.key = key;
        }

        @Override
        Object eval(Render r, Scope s) {
            Object obj = target.eval(r, s);
            return Py.getitem(obj, key.eval(r, s));
        }
    }

    /** {@code start:stop:step} inside brackets. */
    static final class SliceExpr extends Expr {
        final Expr start;
        final Expr stop;
        final Expr step;

        SliceExpr(Expr start, Expr stop, Expr step, int line) {
            super(line);
            this.start = start;
            this.stop = stop;
            this.step = step;
        }

        @Override
        Object eval(Render r, Scope s) {
            return new Py.Slice(start == null ? null : start.eval(r, s), stop == null ? null : stop.eval(r, s),
                    step == null ? null : step.eval(r, s));
        }
    }

    /** Arguments of a call, filter or test: positional, keyword, {@code *args} and {@code **kwargs}. */
    static final class Arguments {
        final List<Expr> positional;
        final List<String> names;
        final List<Expr> keywords;
        final Expr star;
        final Expr doubleStar;

        Arguments(List<Expr> positional, List<String> names, List<Expr> keywords, Expr star, Expr doubleStar) {
            this.positional = positional;
            this.names = names;
            this.keywords = keywords;
            this.star = star;
            this.doubleStar = doubleStar;
        }

        static Arguments none() {
            return new Arguments(List.of(), List.of(), List.of(), null, null);
        }

        List<Object> positional(Render r, Scope s) {
            List<Object> values = new ArrayList<>(positional.size());
            for (Expr e : positional) {
                values.add(e.eval(r, s));
            }
            if (star != null) {
                values.addAll(Py.iterate(star.eval(r, s)));
            }
            return values;
        }

        Map<String, Object> keywords(Render r, Scope s) {
            if (names.isEmpty() && doubleStar == null) {
                return Map.of();
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                values.put(names.get(i), keywords.get(i).eval(r, s));
            }
            if (doubleStar != null) {
                Object extra = doubleStar.eval(r, s);
                if (!(extra instanceof Map<?, ?> map)) {
                    throw TemplateException.type("argument after ** must be a mapping, not " + Py.typeName(extra));
                }
                map.forEach((k, v) -> values.put(Py.str(k), v));
            }
            return values;
        }
    }

    static final class Call extends Expr {
        final Expr target;
        final Arguments arguments;

        Call(Expr target, Arguments arguments, int line) {
            super(line);
            this.target = target;
            this.arguments = arguments;
        }

        @Override
        Object eval(Render r, Scope s) {
            Object callee = target.eval(r, s);
            List<Object> args = arguments.positional(r, s);
            Map<String, Object> kwargs = arguments.keywords(r, s);
            if (callee instanceof Undefined u) {
                throw u.fail();
            }
            if (!(callee instanceof PyCallable function)) {
                throw TemplateException.type("'" + Py.typeName(callee) + "' object is not callable");
            }
            r.enterCall();
            try {
                return function.call(r, args, kwargs);
            } finally {
                r.exitCall();
            }
        }
    }

    /** {@code value | name(args)}; the filter was resolved when the template was compiled. */
    static final class FilterCall extends Expr {
        final Expr target;
        final String name;
        final Filters.Filter filter;
        final Arguments arguments;

        FilterCall(Expr target, String name, Filters.Filter filter, Arguments arguments, int line) {
            super(line);
            this.target = target;
            this.name = name;
            this.filter = filter;
            this.arguments = arguments;
        }

        @Override
        Object eval(Render r, Scope s) {
            Object value = target.eval(r, s);
            return filter.apply(r, value, arguments.positional(r, s), arguments.keywords(r, s));
        }
    }

    /** {@code value is name(args)}. */
    static final class TestCall extends Expr {
        final Expr target;
        final Tests.Test test;
        final Arguments arguments;

        TestCall(Expr target, Tests.Test test, Arguments arguments, int line) {
            super(line);
            this.target = target;
            this.test = test;
            this.arguments = arguments;
        }

        @Override
        Object eval(Render r, Scope s) {
            Object value = target.eval(r, s);
            return test.test(r, value, arguments.positional(r, s), arguments.keywords(r, s));
        }
    }

    static final class Unary extends Expr {
        final String op;
        final Expr operand;

        Unary(String op, Expr operand, int line) {
            super(line);
            this.op = op;
            this.operand = operand;
        }

        @Override
        Object eval(Render r, Scope s) {
            Object v = operand.eval(r, s);
            return switch (op) {
                case "not" -> !Py.truthy(v);
                case "-" -> Py.negate(v);
                default -> Py.plus(v);
            };
        }
    }

    static final class Binary extends Expr {
        final String op;
        final Expr left;
        final Expr right;

        Binary(String op, Expr left, Expr right, int line) {
            super(line);
            this.op = op;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(Render r, Scope s) {
            Object a = left.eval(r, s);
            switch (op) {
                case "and":
                    return Py.truthy(a) ? right.eval(r, s) : a;
                case "or":
                    return Py.truthy(a) ? a : right.eval(r, s);
                default:
                    break;
            }
            Object b = right.eval(r, s);
            return switch (op) {
                case "+" -> Py.add(a, b, r);
                case "-" -> Py.sub(a, b);
                case "*" -> Py.mul(a, b, r);
                case "/" -> Py.div(a, b);
                case "//" -> Py.floorDiv(a, b);
                case "%" -> Py.mod(a, b);
                default -> Py.pow(a, b);
            };
        }
    }

    /** A comparison chain: {@code a < b <= c}, {@code x in y}, {@code x not in y}. */
    static final class Compare extends Expr {
        final Expr first;
        final List<String> ops;
        final List<Expr> operands;

        Compare(Expr first, List<String> ops, List<Expr> operands, int line) {
            super(line);
            this.first = first;
            this.ops = ops;
            this.operands = operands;
        }

        @Override
        Object eval(Render r, Scope s) {
            Object left = first.eval(r, s);
            for (int i = 0; i < ops.size(); i++) {
                Object right = operands.get(i).eval(r, s);
                boolean holds = switch (ops.get(i)) {
                    case "==" -> Py.eq(left, right);
                    case "!=" -> !Py.eq(left, right);
                    case "<", "<=", ">", ">=" -> Py.ordered(ops.get(i), left, right);
                    case "in" -> Py.contains(right, left);
                    default -> !Py.contains(right, left); // not in
                };
                if (!holds) {
                    return false;
                }
                left = right;
            }
            return true;
        }
    }

    /** {@code a ~ b ~ c}: the str() of each, joined. */
    static final class Concat extends Expr {
        final List<Expr> parts;

        Concat(List<Expr> parts, int line) {
            super(line);
            this.parts = parts;
        }

        @Override
        Object eval(Render r, Scope s) {
            StringBuilder out = new StringBuilder();
            for (Expr part : parts) {
                out.append(Py.str(part.eval(r, s)));
                r.checkSize(out.length());
            }
            return out.toString();
        }
    }

    /** {@code then if test else otherwise}; without else, a false test gives an undefined. */
    static final class Conditional extends Expr {
        final Expr test;
        final Expr then;
        final Expr otherwise;

        Conditional(Expr test, Expr then, Expr otherwise, int line) {
            super(line);
            this.test = test;
            this.then = then;
            this.otherwise = otherwise;
        }

        @Override
        Object eval(Render r, Scope s) {
            if (Py.truthy(test.eval(r, s))) {
                return then.eval(r, s);
            }
            return otherwise != null ? otherwise.eval(r, s) : Undefined.because("the inline if-expression on line "
                    + line + " evaluated to false and no else section was defined.");
        }
    }
}
