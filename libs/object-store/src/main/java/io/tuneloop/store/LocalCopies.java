package io.tuneloop.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Local copies of immutable folders (base models, sealed checkpoints) for code that reads files:
 * each is copied once and marked complete last, so a copy cut off by a crash is made again, never
 * read half-done.
 */
public final class LocalCopies {
    private static final String COMPLETE = ".complete";

    private final ArtifactStore store;
    private final Path root;

    public LocalCopies(ArtifactStore store, Path root) {
        this.store = store;
        this.root = root;
    }

    /** The folder's files under the root at the folder's own key, copied the first time they are asked for. */
    public <A> Path of(ArtifactFolder<A> folder, A address) {
        Path dir = root.resolve(folder.prefix(address));
        if (Files.exists(dir.resolve(COMPLETE))) {
            return dir;
        }
        folder.download(store, address, dir);
        try {
            Files.writeString(dir.resolve(COMPLETE), folder.prefix(address));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    public Path root() {
        return root;
    }
}
