package io.tuneloop.ingest.parse;

/** A source record that breaks its format; {@code field} is null when the whole record is at fault. */
public class InvalidRecordException extends RuntimeException {
    private final String field;

    public InvalidRecordException(String field, String reason) {
        super(field == null ? reason : field + " " + reason);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
