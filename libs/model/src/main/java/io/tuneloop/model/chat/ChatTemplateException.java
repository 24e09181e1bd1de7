package io.tuneloop.model.chat;

/** A chat template that cannot render a conversation (its own raise_exception, or a template error). */
public class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
