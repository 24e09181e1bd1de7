package io.tuneloop.model.chat;

/**
 * A chat template that cannot render a conversation: its own {@code raise_exception}, a template
 * error, or a construct the engine refuses. {@link #reason()} says which, for counting.
 */
public class ChatTemplateException extends RuntimeException {
    private final String reason;

    public ChatTemplateException(String message) {
        this(message, "template_error", null);
    }

    public ChatTemplateException(String message, String reason, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** A short machine-readable cause: raised, syntax, undefined, type, security, unsupported, limit, template_error. */
    public String reason() {
        return reason;
    }
}
