package io.tuneloop.events.payload;

/** A payload that is well-formed JSON but breaks the contract; the message names the field. */
public class InvalidPayloadException extends IllegalArgumentException {
    public InvalidPayloadException(String message) {
        super(message);
    }
}
