package io.tuneloop.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Statement nodes of a parsed template: they write output and change scopes. */
abstract class Stmt {
    /** How a statement ended: normally, or by {@code break} / {@code continue} out of the enclosing loop. */
    enum Flow { NORMAL, BREAK, CONTINUE }

    final int line;

    Stmt(int line) {
        this.line = line;
    }

    abstract Flow exec(Render r, Scope s, StringBuilder out);

    static Flow run(List<Stmt> body, Render r, Scope s, StringBuilder out) {
        for (Stmt stmt : body) {
            Flow flow;
            try {
                flow = stmt.exec(r, s, out);
            } catch (TemplateException e) {
                throw e.at(stmt.line);
            }
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    /** Renders {@code body} into a string of its own (set blocks, filter blocks, macros). */
    static String capture(List<Stmt> body, Render r, Scope s) {
        StringBuilder out = new StringBuilder();
        run(body, r, s, out);
        return out.toString();
    }

    static final class Data extends Stmt {
        final String text;

        Data(String text, int line) {
            super(line);
            this.text = text;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            r.append(out, text);
            return Flow.NORMAL;
        }
    }

    /** {@code {{ expr }}}: the str() of the value, inserted as text and never interpreted again. */
    static final class Print extends Stmt {
        final Expr expr;

        Print(Expr expr, int line) {
            super(line);
            this.expr = expr;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            r.append(out, Py.str(expr.eval(r, s)));
            return Flow.NORMAL;
        }
    }

    static final class If extends Stmt {
        final List<Expr> tests;
        final List<List<Stmt>> bodies;
        final List<Stmt> otherwise;

        If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> otherwise, int line) {
            super(line);
            this.tests = tests;
            this.bodies = bodies;
            this.otherwise = otherwise;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            for (int i = 0; i < tests.size(); i++) {
                if (Py.truthy(tests.get(i).eval(r, s))) {
                    return run(bodies.get(i), r, s, out);
                }
            }
            return run(otherwise, r, s, out);
        }
    }

    /** What a {@code set} or {@code for} assigns to: a name, a tuple of targets, or {@code ns.attr}. */
    abstract static class Target {
        abstract void assign(Scope s, Object value);

        static final class Name extends Target {
            final String name;

            Name(String name) {
                this.name = name;
            }

            @Override
            void assign(Scope s, Object value) {
                s.set(name, value);
            }
        }

        static final class Unpack extends Target {
            final List<Target> targets;

            Unpack(List<Target> targets) {
                this.targets = targets;
            }

            @Override
            void assign(Scope s, Object value) {
                Py.undefinedCheck(value);
                List<?> items = Py.iterate(value);
                if (items.size() != targets.size()) {
                    throw TemplateException.type(items.size() > targets.size()
                            ? "too many values to unpack (expected " + targets.size() + ")"
                            : "not enough values to unpack (expected " + targets.size() + ", got " + items.size() + ")");
                }
                for (int i = 0; i < targets.size(); i++) {
                    targets.get(i).assign(s, items.get(i));
                }
            }
        }

        static final class NamespaceAttribute extends Target {
            final String namespace;
            final String attribute;

            NamespaceAttribute(String namespace, String attribute) {
                this.namespace = namespace;
                this.attribute = attribute;
            }

            @Override
            void assign(Scope s, Object value) {
                Object ns = s.lookup(namespace);
                if (!(ns instanceof Namespace target)) {
                    throw TemplateException.type("cannot assign attribute on non-namespace object");
                }
                target.attributes.put(attribute, value);
            }
        }
    }

    static final class For extends Stmt {
        final Target target;
        final Expr iterable;
        final Expr filter;
        final List<Stmt> body;
        final List<Stmt> otherwise;

        For(Target target, Expr iterable, Expr filter, List<Stmt> body, List<Stmt> otherwise, int line) {
            super(line);
            this.target = target;
            this.iterable = iterable;
            this.filter = filter;
            this.body = body;
            this.otherwise = otherwise;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            List<?> items = Py.iterate(iterable.eval(r, s));
            if (filter != null) {
                List<Object> kept = new ArrayList<>();
                for (Object item : items) {
                    r.tick();
                    Scope probe = new Scope(s);
                    target.assign(probe, item);
                    if (Py.truthy(filter.eval(r, probe))) {
                        kept.add(item);
                    }
                }
                items = kept;
            }
            // jinja2 runs the else block unless some iteration reached the end of the body: with no items,
            // and also when every iteration ended in break or continue
            boolean completed = false;
            Loop loop = new Loop(items, null);
            for (int i = 0; i < items.size(); i++) {
                r.tick();
                Scope iteration = new Scope(s);
                loop.advance(i);
                iteration.set("loop", loop);
                target.assign(iteration, items.get(i));
                Flow flow = run(body, r, iteration, out);
                if (flow == Flow.BREAK) {
                    break;
                }
                completed |= flow == Flow.NORMAL;
            }
            if (!completed && !otherwise.isEmpty()) {
                return run(otherwise, r, new Scope(s), out);
            }
            return Flow.NORMAL;
        }
    }

    static final class Set extends Stmt {
        final Target target;
        final Expr value;

        Set(Target target, Expr value, int line) {
            super(line);
            this.target = target;
            this.value = value;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            target.assign(s, value.eval(r, s));
            return Flow.NORMAL;
        }
    }

    /** {@code {% set x %}...{% endset %}}, optionally through filters ({@code {% set x | upper %}}). */
    static final class SetBlock extends Stmt {
        final Target target;
        final Expr filters; // reads the body from BODY, or null
        final List<Stmt> body;

        SetBlock(Target target, Expr filters, List<Stmt> body, int line) {
            super(line);
            this.target = target;
            this.filters = filters;
            this.body = body;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            // the body renders in a scope of its own: what it sets stays inside
            target.assign(s, filtered(filters, capture(body, r, new Scope(s)), r, s));
            return Flow.NORMAL;
        }
    }

    /** The name under which a block's rendered body is handed to its filters (not a valid identifier). */
    static final String BODY = "\u0000body";

    static Object filtered(Expr filters, String body, Render r, Scope s) {
        if (filters == null) {
            return body;
        }
        Scope withBody = new Scope(s);
        withBody.set(BODY, body);
        return filters.eval(r, withBody);
    }

    static final class FilterBlock extends Stmt {
        final Expr filters;
        final List<Stmt> body;

        FilterBlock(Expr filters, List<Stmt> body, int line) {
            super(line);
            this.filters = filters;
            this.body = body;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            r.append(out, Py.str(filtered(filters, capture(body, r, new Scope(s)), r, s)));
            return Flow.NORMAL;
        }
    }

    static final class With extends Stmt {
        final List<Target> targets;
        final List<Expr> values;
        final List<Stmt> body;

        With(List<Target> targets, List<Expr> values, List<Stmt> body, int line) {
            super(line);
            this.targets = targets;
            this.values = values;
            this.body = body;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            Scope inner = new Scope(s);
            for (int i = 0; i < targets.size(); i++) {
                targets.get(i).assign(inner, values.get(i).eval(r, s));
            }
            return run(body, r, inner, out);
        }
    }

    /** A body rendered as is: Hugging Face's {@code {% generation %}} marks assistant text and changes nothing. */
    static final class Transparent extends Stmt {
        final List<Stmt> body;

        Transparent(List<Stmt> body, int line) {
            super(line);
            this.body = body;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            return run(body, r, s, out);
        }
    }

    static final class LoopControl extends Stmt {
        final Flow flow;

        LoopControl(Flow flow, int line) {
            super(line);
            this.flow = flow;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            return flow;
        }
    }

    static final class MacroDefinition extends Stmt {
        final String name;
        final List<String> parameters;
        final List<Expr> defaults; // aligned to the last parameters
        final List<Stmt> body;
        final boolean takesVarargs;
        final boolean takesKwargs;

        MacroDefinition(String name, List<String> parameters, List<Expr> defaults, List<Stmt> body,
                        boolean takesVarargs, boolean takesKwargs, int line) {
            super(line);
            this.name = name;
            this.parameters = parameters;
            this.defaults = defaults;
            this.body = body;
            this.takesVarargs = takesVarargs;
            this.takesKwargs = takesKwargs;
        }

        @Override
        Flow exec(Render r, Scope s, StringBuilder out) {
            s.set(name, new Macro(this, s));
            return Flow.NORMAL;
        }
    }

    /** A macro bound to the scope it was defined in. */
    static final class Macro implements PyCallable {
        private final MacroDefinition definition;
        private final Scope closure;

        Macro(MacroDefinition definition, Scope closure) {
            this.definition = definition;
            this.closure = closure;
        }

        @Override
        public String name() {
            return definition.name;
        }

        @Override
        public String printed() {
            return "<Macro '" + definition.name + "'>";
        }

        @Override
        public Object call(Render r, List<Object> args, Map<String, Object> kwargs) {
            List<String> parameters = definition.parameters;
            if (args.size() > parameters.size() && !definition.takesVarargs) {
                throw TemplateException.type("macro '" + definition.name + "' takes not more than "
                        + parameters.size() + " argument(s)");
            }
            Scope frame = new Scope(closure);
            Map<String, Object> extraKeywords = new LinkedHashMap<>();
            Map<String, Object> bound = new LinkedHashMap<>();
            for (int i = 0; i < Math.min(args.size(), parameters.size()); i++) {
                bound.put(parameters.get(i), args.get(i));
            }
            for (var e : kwargs.entrySet()) {
                if (!parameters.contains(e.getKey()) || bound.containsKey(e.getKey())) {
                    if (!definition.takesKwargs) {
                        throw TemplateException.type(parameters.contains(e.getKey())
                                ? "macro '" + definition.name + "' got multiple values for argument '" + e.getKey() + "'"
                                : "macro '" + definition.name + "' takes no keyword argument '" + e.getKey() + "'");
                    }
                    extraKeywords.put(e.getKey(), e.getValue()); // jinja2 hands a repeated name to kwargs
                } else {
                    bound.put(e.getKey(), e.getValue());
                }
            }
            bound.forEach(frame::set);
            // defaults are evaluated in the macro's frame after every passed argument is bound: they may use them
            int firstDefault = parameters.size() - definition.defaults.size();
            for (int i = 0; i < parameters.size(); i++) {
                String parameter = parameters.get(i);
                if (bound.containsKey(parameter)) {
                    continue;
                }
                frame.set(parameter, i >= firstDefault ? definition.defaults.get(i - firstDefault).eval(r, frame)
                        : Undefined.because("parameter '" + parameter + "' was not provided"));
            }
            if (definition.takesVarargs) {
                frame.set("varargs", PyTuple.of(args.size() > parameters.size()
                        ? args.subList(parameters.size(), args.size()) : List.of()));
            }
            if (definition.takesKwargs) {
                frame.set("kwargs", new LinkedHashMap<Object, Object>(extraKeywords));
            }
            return capture(definition.body, r, frame);
        }
    }
}
