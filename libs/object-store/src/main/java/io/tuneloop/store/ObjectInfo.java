package io.tuneloop.store;

import java.time.Instant;

/** What the store knows of one object. */
public record ObjectInfo(String key, long size, String etag, Instant lastModified) {
}
