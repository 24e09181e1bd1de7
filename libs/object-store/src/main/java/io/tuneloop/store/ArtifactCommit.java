package io.tuneloop.store;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A multi-object artifact (a dataset version, a checkpoint) written "manifest last": parts are
 * uploaded first, each with its checksum recorded, and the artifact exists for readers only once
 * {@link #seal} has written the manifest. A crash before that leaves orphan parts but never a
 * readable partial artifact; a rerun overwrites the parts with the same content.
 */
public final class ArtifactCommit {
    private final ArtifactStore store;
    private final String prefix;
    private final Map<String, PartInfo> parts = new LinkedHashMap<>();
    private boolean sealed;

    /**
     * @param name   part name relative to the commit prefix
     * @param sha256 hex checksum of the part's bytes
     * @param size   bytes
     */
    public record PartInfo(String name, String sha256, long size) {
    }

    ArtifactCommit(ArtifactStore store, String prefix) {
        this.store = store;
        this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
    }

    public String prefix() {
        return prefix;
    }

    public PartInfo putBytes(String name, byte[] content, String contentType) {
        ensureOpen();
        store.putBytes(prefix + name, content, contentType);
        PartInfo part = new PartInfo(name, Sha256.hex(content), content.length);
        parts.put(name, part);
        return part;
    }

    /** Streams a part of unknown length, hashing it on the way. */
    public PartInfo put(String name, InputStream content, String contentType) {
        ensureOpen();
        MessageDigest digest = Sha256.digest();
        CountingInputStream counting = new CountingInputStream(new DigestInputStream(content, digest));
        store.put(prefix + name, counting, -1, contentType);
        PartInfo part = new PartInfo(name, Sha256.hex(digest), counting.count);
        parts.put(name, part);
        return part;
    }

    /** The parts written so far, in write order (for the manifest). */
    public java.util.List<PartInfo> parts() {
        return java.util.List.copyOf(parts.values());
    }

    /** Writes the manifest, which makes the artifact exist. Returns its key. */
    public String seal(String manifestName, byte[] manifest) {
        ensureOpen();
        String key = prefix + manifestName;
        store.putBytes(key, manifest, "application/json");
        sealed = true;
        return key;
    }

    private void ensureOpen() {
        if (sealed) {
            throw new IllegalStateException("artifact " + prefix + " is already sealed");
        }
    }

    private static final class CountingInputStream extends java.io.FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

}
