package io.tuneloop.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A multi-object artifact of the catalog (a model, a dataset version, a checkpoint): every object
 * under one prefix, written "manifest last" through {@link #commit} where it has a manifest.
 *
 * @param <A> the address
 */
public final class ArtifactFolder<A> {
    private final KeyTemplate<A> prefixes;

    /** @param prefixes a template that ends with {@code /} */
    public ArtifactFolder(KeyTemplate<A> prefixes) {
        if (!prefixes.template().endsWith("/")) {
            throw new IllegalArgumentException("a folder's keys end with '/': " + prefixes.template());
        }
        this.prefixes = prefixes;
    }

    public String prefix(A address) {
        return prefixes.key(address);
    }

    /** The address of a folder's prefix (as listed). */
    public Optional<A> address(String prefix) {
        return prefixes.address(prefix);
    }

    /** A file of the folder: {@code name} (which may hold {@code /}) under each address's prefix. */
    public <T> Artifact<A, T> file(String name, Format<T> format) {
        return new Artifact<>(prefixes.then(name), format);
    }

    /** Addresses of the folders that exist and start with {@code leading} parts. */
    public List<A> list(ArtifactStore store, Object... leading) {
        List<A> addresses = new ArrayList<>();
        for (String prefix : store.listPrefixes(prefixes.prefix(leading))) {
            prefixes.address(prefix).ifPresent(addresses::add);
        }
        return addresses;
    }

    public ArtifactCommit commit(ArtifactStore store, A address) {
        return store.commit(prefix(address));
    }

    /** Every object of the folder copied into {@code directory} (emptied first). */
    public Path download(ArtifactStore store, A address, Path directory) {
        return store.download(prefix(address), directory);
    }
}
