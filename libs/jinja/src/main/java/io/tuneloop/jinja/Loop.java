package io.tuneloop.jinja;

import java.util.List;
import java.util.Map;

/** The {@code loop} variable of a for loop (jinja2's LoopContext). */
final class Loop {
    private final List<?> items;
    private final Loop outer;
    private int index0;
    private Object lastChanged = Scope.NOT_FOUND;

    Loop(List<?> items, Loop outer) {
        this.items = items;
        this.outer = outer;
    }

    void advance(int index0) {
        this.index0 = index0;
    }

    long index() {
        return index0 + 1;
    }

    long length() {
        return items.size();
    }

    private long depth0() {
        return outer == null ? 0 : outer.depth0() + 1;
    }

    /** The attribute {@code name}, or {@link Py#MISSING}. */
    Object attribute(String name) {
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (items.size() - index0);
            case "revindex0" -> (long) (items.size() - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == items.size() - 1;
            case "length" -> (long) items.size();
            case "depth" -> depth0() + 1;
            case "depth0" -> depth0();
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : Undefined.because("there is no previous item");
            case "nextitem" -> index0 + 1 < items.size() ? items.get(index0 + 1) : Undefined.because("there is no next item");
            case "cycle" -> new PyCallable() {
                @Override
                public Object call(Render render, List<Object> args, Map<String, Object> kwargs) {
                    if (args.isEmpty()) {
                        throw TemplateException.type("no items for cycling given");
                    }
                    return args.get(index0 % args.size());
                }

                @Override
                public String name() {
                    return "cycle";
                }
            };
            case "changed" -> new PyCallable() {
                @Override
                public Object call(Render render, List<Object> args, Map<String, Object> kwargs) {
                    Object value = args.size() == 1 ? args.get(0) : PyTuple.of(args);
                    boolean changed = lastChanged == Scope.NOT_FOUND || !Py.eq(lastChanged, value);
                    lastChanged = value;
                    return changed;
                }

                @Override
                public String name() {
                    return "changed";
                }
            };
            default -> Py.MISSING;
        };
    }
}
