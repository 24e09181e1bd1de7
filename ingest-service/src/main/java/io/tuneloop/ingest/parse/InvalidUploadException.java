package io.tuneloop.ingest.parse;

/** An upload that cannot be ingested at all (empty, too large once decompressed); the message says why. */
public class InvalidUploadException extends RuntimeException {
    private final boolean tooLarge;

    public InvalidUploadException(String message, boolean tooLarge) {
        super(message);
        this.tooLarge = tooLarge;
    }

    /** True when the upload is refused for its size (HTTP 413), false for its content (HTTP 400). */
    public boolean tooLarge() {
        return tooLarge;
    }
}
