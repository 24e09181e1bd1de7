package io.tuneloop.store;

/**
 * A failed store operation; the message names the operation and the key. {@link #isTransient()}
 * says whether the store could not be reached or answered with a server error (worth retrying once
 * it is back) rather than refusing the request itself (a missing key, denied access, a bad name).
 */
public class StoreException extends RuntimeException {
    private final boolean transientFault;

    public StoreException(String message, Throwable cause, boolean transientFault) {
        super(message, cause);
        this.transientFault = transientFault;
    }

    public StoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public StoreException(String message) {
        this(message, null, false);
    }

    /** The store was unreachable, timed out or failed on its side: the same call may succeed later. */
    public boolean isTransient() {
        return transientFault;
    }
}
