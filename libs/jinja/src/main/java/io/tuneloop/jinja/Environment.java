package io.tuneloop.jinja;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How templates are compiled and rendered: jinja2's lexer options, the globals and filters a
 * template can use, and the {@link Limits} of one render. Immutable; compile templates with
 * {@link #compile} and reuse them.
 */
public final class Environment {
    private final boolean trimBlocks;
    private final boolean lstripBlocks;
    private final boolean keepTrailingNewline;
    private final boolean loopControls;
    private final boolean generationTag;
    private final Map<String, Object> globals;
    private final Map<String, Filters.Filter> filters;
    private final Limits limits;

    private Environment(Builder b) {
        this.trimBlocks = b.trimBlocks;
        this.lstripBlocks = b.lstripBlocks;
        this.keepTrailingNewline = b.keepTrailingNewline;
        this.loopControls = b.loopControls;
        this.generationTag = b.generationTag;
        this.globals = Map.copyOf(b.globals);
        this.filters = Map.copyOf(b.filters);
        this.limits = b.limits;
    }

    /** jinja2's defaults: no trimming, no loop controls, jinja2's own filters and globals. */
    public static Builder builder() {
        return new Builder();
    }

    /** Parses {@code source}; fails with a {@link TemplateException} naming the problem and its line. */
    public Template compile(String source) {
        List<Token> tokens = Lexer.tokenize(source, trimBlocks, lstripBlocks, keepTrailingNewline);
        return new Template(this, new Parser(this, tokens).parseTemplate());
    }

    boolean loopControls() {
        return loopControls;
    }

    boolean generationTag() {
        return generationTag;
    }

    Map<String, Object> globals() {
        return globals;
    }

    Limits limits() {
        return limits;
    }

    Filters.Filter filter(String name) {
        Filters.Filter custom = filters.get(name);
        return custom != null ? custom : Filters.BUILTIN.get(name);
    }

    public static final class Builder {
        private boolean trimBlocks;
        private boolean lstripBlocks;
        private boolean keepTrailingNewline;
        private boolean loopControls;
        private boolean generationTag;
        private final Map<String, Object> globals = new HashMap<>(Globals.defaults());
        private final Map<String, Filters.Filter> filters = new HashMap<>();
        private Limits limits = Limits.standard();

        private Builder() {
        }

        /** Drop the first newline after a block or comment tag. */
        public Builder trimBlocks(boolean on) {
            this.trimBlocks = on;
            return this;
        }

        /** Drop the spaces and tabs before a block or comment tag at the start of a line. */
        public Builder lstripBlocks(boolean on) {
            this.lstripBlocks = on;
            return this;
        }

        public Builder keepTrailingNewline(boolean on) {
            this.keepTrailingNewline = on;
            return this;
        }

        /** {@code break} and {@code continue} (jinja2.ext.loopcontrols). */
        public Builder loopControls(boolean on) {
            this.loopControls = on;
            return this;
        }

        /** Hugging Face's {@code {% generation %}} tag, rendered as its body. */
        public Builder generationTag(boolean on) {
            this.generationTag = on;
            return this;
        }

        /** A global value (converted to a template value once, now). */
        public Builder global(String name, Object value) {
            globals.put(name, Py.wrap(value));
            return this;
        }

        /** A global function, e.g. {@code raise_exception}. */
        public Builder function(String name, JinjaFunction function) {
            globals.put(name, Py.wrap(function));
            return this;
        }

        /** A filter that replaces or adds to jinja2's, e.g. Hugging Face's {@code tojson}. */
        public Builder filter(String name, JinjaFilter filter) {
            filters.put(name, (render, value, args, kwargs) -> Py.wrap(filter.apply(value, args, kwargs)));
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        public Environment build() {
            return new Environment(this);
        }
    }
}
