package io.tuneloop.jinja;

/** The state of one render: the environment, and what the render has spent of its {@link Limits}. */
final class Render {
    final Environment env;
    private final Limits limits;
    private final long deadline;
    private long written;
    private long iterations;
    private int depth;

    Render(Environment env) {
        this.env = env;
        this.limits = env.limits();
        this.deadline = System.nanoTime() + limits.maxTime().toNanos();
    }

    void append(StringBuilder out, String text) {
        written += text.length();
        if (written > limits.maxOutputChars()) {
            throw new TemplateException(TemplateException.Kind.LIMIT, "the template produced more than "
                    + limits.maxOutputChars() + " characters");
        }
        out.append(text);
    }

    /** Refuses to build a string or list of {@code size} elements beyond the output budget. */
    void checkSize(long size) {
        if (size > limits.maxOutputChars()) {
            throw new TemplateException(TemplateException.Kind.LIMIT, "the template built a value of " + size
                    + " elements, more than its budget of " + limits.maxOutputChars());
        }
    }

    /** Refuses a value of {@code count} copies of {@code size} elements beyond the budget (no overflow). */
    void checkSize(long size, long count) {
        if (size != 0 && count != 0 && (count > limits.maxOutputChars() || size * count > limits.maxOutputChars())) {
            throw new TemplateException(TemplateException.Kind.LIMIT, "the template built a value of " + size + " x "
                    + count + " elements, more than its budget of " + limits.maxOutputChars());
        }
    }

    /** Counts one loop iteration (or filter step over a sequence element). */
    void tick() {
        iterations++;
        if (iterations > limits.maxIterations()) {
            throw new TemplateException(TemplateException.Kind.LIMIT, "the template ran more than "
                    + limits.maxIterations() + " loop iterations");
        }
        if ((iterations & 1023) == 0) {
            checkTime();
        }
    }

    void checkTime() {
        if (System.nanoTime() > deadline) {
            throw new TemplateException(TemplateException.Kind.LIMIT, "the template ran longer than "
                    + limits.maxTime().toMillis() + " ms");
        }
    }

    void enterCall() {
        if (++depth > limits.maxCallDepth()) {
            throw new TemplateException(TemplateException.Kind.LIMIT, "macro calls nested deeper than "
                    + limits.maxCallDepth());
        }
        checkTime();
    }

    void exitCall() {
        depth--;
    }
}
