package io.tuneloop.store;

/** The key does not exist in the bucket. */
public class NoSuchArtifactException extends StoreException {
    public NoSuchArtifactException(String key) {
        super("no artifact at " + key);
    }
}
