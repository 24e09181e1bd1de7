package io.tuneloop.store;

/**
 * The result of a content-addressed put.
 *
 * @param key     {@code <prefix><sha256>}
 * @param sha256  hex digest of the bytes
 * @param size    bytes
 * @param created false when identical content was already stored (nothing was uploaded)
 */
public record ContentAddress(String key, String sha256, long size, boolean created) {
}
