package io.tuneloop.jinja;

import java.util.List;
import java.util.Map;

/**
 * A function a template may call (a global such as Hugging Face's {@code raise_exception}). Arguments
 * arrive as template values: String, Long, Double, Boolean, null (None), List, Map.
 */
@FunctionalInterface
public interface JinjaFunction {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
