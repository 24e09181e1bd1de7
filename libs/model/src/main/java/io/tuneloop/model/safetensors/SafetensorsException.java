package io.tuneloop.model.safetensors;

/** A safetensors file or index that cannot be read or written; the message says which and why. */
public class SafetensorsException extends RuntimeException {
    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
