package io.tuneloop.events;

/** An event that cannot be read as its topic's payload; the message is the dead-letter reason. */
public class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
