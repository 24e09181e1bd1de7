package io.tuneloop.store;

import io.tuneloop.events.JsonLines;
import io.tuneloop.events.MalformedEventException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One kind of stored object of the catalog ({@link Artifacts}): where an address's object lives,
 * how its value reads and writes, and which addresses exist. Services name an artifact by its
 * entry and address, never by its key.
 *
 * @param <A> the address (a dataset name, a batch of a dataset, a checkpoint of a run, ...)
 * @param <T> the value
 */
public final class Artifact<A, T> {
    private final KeyTemplate<A> keys;
    private final Format<T> format;

    public Artifact(KeyTemplate<A> keys, Format<T> format) {
        this.keys = keys;
        this.format = format;
    }

    /** The same objects read as another type (a service's own view of a document the catalog stores as JSON). */
    public <U> Artifact<A, U> as(Format<U> other) {
        return new Artifact<>(keys, other);
    }

    /** The same JSON objects read as {@code type}. */
    public <U> Artifact<A, U> as(Class<U> type) {
        return as(Format.json(type));
    }

    /** A JSON Lines artifact read as records of {@code type}. */
    public <E> Artifact<A, List<E>> lines(Class<E> type) {
        return new Artifact<>(keys, Format.jsonLines(type));
    }

    public String key(A address) {
        return keys.key(address);
    }

    public Optional<A> address(String key) {
        return keys.address(key);
    }

    public String contentType() {
        return format.contentType();
    }

    public boolean exists(ArtifactStore store, A address) {
        return store.exists(key(address));
    }

    /** The value, or empty when the object does not exist. */
    public Optional<T> find(ArtifactStore store, A address) {
        String key = key(address);
        if (!store.exists(key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(decode(key, store.getBytes(key)));
        } catch (NoSuchArtifactException deletedMeanwhile) {
            return Optional.empty();
        }
    }

    /** The value; {@link NoSuchArtifactException} when the object does not exist. */
    public T read(ArtifactStore store, A address) {
        String key = key(address);
        return decode(key, store.getBytes(key));
    }

    private T decode(String key, byte[] bytes) {
        try {
            return format.decode(bytes);
        } catch (MalformedEventException e) {
            throw new MalformedEventException(key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Hands each record of a JSON Lines artifact to {@code consumer} as it is read from the store,
     * without holding the whole object.
     */
    public <E> void forEach(ArtifactStore store, A address, Consumer<? super E> consumer) {
        if (!(format instanceof Format.JsonLinesFormat<?> lines)) {
            throw new IllegalStateException(keys.template() + " is not JSON Lines");
        }
        @SuppressWarnings("unchecked")
        Class<E> type = (Class<E>) lines.type();
        String key = key(address);
        try (InputStream in = store.get(key)) {
            JsonLines.forEach(in, type, consumer);
        } catch (MalformedEventException e) {
            throw new MalformedEventException(key + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreException("read " + key + " failed: " + e.getMessage(), e, e instanceof StoreReadException);
        }
    }

    public void write(ArtifactStore store, A address, T value) {
        store.putBytes(key(address), format.encode(value), format.contentType());
    }

    /** Writes a local file that holds the value already encoded (a large quarantine, a spooled upload). */
    public void writeFile(ArtifactStore store, A address, Path encoded) {
        store.putFile(key(address), encoded, format.contentType());
    }

    /** Opens the object for streaming its bytes (to pass it on as it is). */
    public InputStream open(ArtifactStore store, A address) {
        return store.get(key(address));
    }

    public void delete(ArtifactStore store, A address) {
        store.delete(key(address));
    }

    /**
     * Keys under this entry's prefix that are not of its shape (a file in a subfolder, another
     * ending): what a listing of addresses leaves out, for the caller to report.
     */
    public List<String> strays(ArtifactStore store, Object... leading) {
        List<String> strays = new ArrayList<>();
        for (ObjectInfo object : store.list(keys.prefix(leading))) {
            if (keys.address(object.key()).isEmpty()) {
                strays.add(object.key());
            }
        }
        return strays;
    }

    /** Addresses of the objects that exist and start with {@code leading} parts, in key order. */
    public List<A> list(ArtifactStore store, Object... leading) {
        List<A> addresses = new ArrayList<>();
        for (ObjectInfo object : store.list(keys.prefix(leading))) {
            keys.address(object.key()).ifPresent(addresses::add);
        }
        return addresses;
    }
}
