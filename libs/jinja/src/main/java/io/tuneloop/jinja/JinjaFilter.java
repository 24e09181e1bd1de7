package io.tuneloop.jinja;

import java.util.List;
import java.util.Map;

/** A filter ({@code value | name(args)}) supplied by the embedding code, e.g. Hugging Face's tojson. */
@FunctionalInterface
public interface JinjaFilter {
    Object apply(Object value, List<Object> args, Map<String, Object> kwargs);
}
