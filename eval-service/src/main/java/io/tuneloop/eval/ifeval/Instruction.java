package io.tuneloop.eval.ifeval;

import java.util.List;
import java.util.Map;

/**
 * One verifiable instruction of a prompt, as IFEval writes it: an instruction id such as
 * {@code "keywords:existence"} and its arguments ({@code {"keywords": ["ocean", "tide"]}}).
 */
public record Instruction(String id, Map<String, Object> args) {
    public Instruction {
        args = args == null ? Map.of() : Map.copyOf(args);
    }

    String string(String name) {
        Object value = args.get(name);
        if (value == null) {
            throw new IllegalArgumentException(id + " needs argument " + name);
        }
        return value.toString();
    }

    int integer(String name) {
        Object value = args.get(name);
        if (value instanceof Number n) {
            return n.intValue();
        }
        return Integer.parseInt(string(name));
    }

    @SuppressWarnings("unchecked")
    List<String> strings(String name) {
        Object value = args.get(name);
        if (value instanceof List<?> list) {
            return (List<String>) list;
        }
        throw new IllegalArgumentException(id + " needs argument " + name + " (a list)");
    }

    /** IFEval's relations: "at least" N, or "less than" N. */
    boolean compare(String relationArgument, int actual, int expected) {
        String relation = string(relationArgument);
        return switch (relation) {
            case "at least" -> actual >= expected;
            case "less than" -> actual < expected;
            default -> throw new IllegalArgumentException(id + ": relation must be 'at least' or 'less than', was "
                    + relation);
        };
    }
}
