package io.tuneloop.store;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.ServerException;
import io.minio.messages.Item;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The artifact store: one bucket of an S3-compatible server, through the MinIO client.
 * Keys are plain strings with {@code /}-separated prefixes ({@code raw/}, {@code datasets/}, ...).
 * Readers never see half-written artifacts: S3 puts are atomic per object, and multi-object
 * artifacts are {@link #commit(String) committed} with their manifest last.
 */
public final class ArtifactStore implements AutoCloseable {
    /** Multipart part size for streams of unknown length: big enough for few parts, small enough for memory. */
    static final long PART_SIZE = 16L * 1024 * 1024;

    /** Server error codes that say "try again" (S3 sends them with 500 and 503). */
    private static final java.util.Set<String> RETRYABLE_CODES = java.util.Set.of("InternalError", "ServiceUnavailable",
            "SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "OperationAborted");

    private final StoreSettings settings;
    private final MinioClient client;
    /** The same server with short timeouts, for health checks: a paused server must read DOWN in seconds. */
    private final MinioClient probe;

    private ArtifactStore(StoreSettings settings, MinioClient client, MinioClient probe) {
        this.settings = settings;
        this.client = client;
        this.probe = probe;
    }

    public static ArtifactStore connect(StoreSettings settings) {
        MinioClient client = newClient(settings);
        // Fail fast when the server is down or hangs rather than after OkHttp's long defaults. The read
        // and write timeouts bound the silence between bytes, not a whole transfer, so large objects are fine.
        client.setTimeout(TimeUnit.SECONDS.toMillis(5), TimeUnit.SECONDS.toMillis(30), TimeUnit.SECONDS.toMillis(30));
        MinioClient probe = newClient(settings);
        probe.setTimeout(TimeUnit.SECONDS.toMillis(2), TimeUnit.SECONDS.toMillis(3), TimeUnit.SECONDS.toMillis(3));
        return new ArtifactStore(settings, client, probe);
    }

    private static MinioClient newClient(StoreSettings settings) {
        return MinioClient.builder()
                .endpoint(settings.endpoint())
                .credentials(settings.accessKey(), settings.secretKey())
                .region(settings.region())
                .build();
    }

    public StoreSettings settings() {
        return settings;
    }

    public String bucket() {
        return settings.bucket();
    }

    /** Creates the bucket if it is missing; safe to call from every service at start. */
    public void ensureBucket() {
        call("ensure bucket " + bucket(), () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket()).build())) {
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket()).region(settings.region()).build());
                } catch (ErrorResponseException e) {
                    String code = e.errorResponse().code();
                    if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    /** Whether the server answers and the bucket exists. */
    public boolean bucketExists() {
        return call("check bucket " + bucket(),
                () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket()).build()));
    }

    /** {@link #bucketExists()} with timeouts of a few seconds, for health checks. */
    public boolean probeBucket() {
        return call("probe bucket " + bucket(),
                () -> probe.bucketExists(BucketExistsArgs.builder().bucket(bucket()).build()));
    }

    /**
     * Streams {@code content} to {@code key}. With {@code size < 0} the length is unknown and the
     * upload goes in {@link #PART_SIZE} parts, so nothing larger than one part is held in memory.
     */
    public ObjectInfo put(String key, InputStream content, long size, String contentType) {
        return call("put " + key, () -> {
            var response = client.putObject(PutObjectArgs.builder()
                    .bucket(bucket())
                    .object(key)
                    .stream(content, size, size < 0 ? PART_SIZE : -1)
                    .contentType(contentType == null ? "application/octet-stream" : contentType)
                    .build());
            return new ObjectInfo(key, size, response.etag(), null);
        });
    }

    public ObjectInfo putBytes(String key, byte[] content, String contentType) {
        return put(key, new ByteArrayInputStream(content), content.length, contentType);
    }

    /** Uploads a local file; its length is known, so the client picks the part size. */
    public ObjectInfo putFile(String key, Path file, String contentType) {
        try (InputStream in = Files.newInputStream(file)) {
            return put(key, in, Files.size(file), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Stores {@code content} under {@code prefix + sha256(content)}. The stream is spooled to a
     * temporary file (the key is only known at the end), then stored as by
     * {@link #putContentAddressed(String, Path, String)}.
     */
    public ContentAddress putContentAddressed(String prefix, InputStream content, String contentType) {
        Path spool = null;
        try {
            spool = Files.createTempFile("tuneloop-cas-", ".bin");
            try (InputStream in = content) {
                Files.copy(in, spool, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return putContentAddressed(prefix, spool, contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool content for " + prefix, e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    /**
     * Stores a local file under {@code prefix + sha256(file)}, unless an object with that key
     * already exists: uploading the same bytes twice stores them once.
     */
    public ContentAddress putContentAddressed(String prefix, Path file, String contentType) {
        MessageDigest digest = Sha256.digest();
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                size += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String sha = Sha256.hex(digest);
        String key = prefix + sha;
        if (stat(key).isPresent()) {
            return new ContentAddress(key, sha, size, false);
        }
        putFile(key, file, contentType);
        return new ContentAddress(key, sha, size, true);
    }

    /**
     * Copies every object under {@code prefix} into {@code directory} (emptied first), keeping the
     * relative paths: how a model or checkpoint reaches the local files the model library reads.
     */
    public Path download(String prefix, Path directory) {
        String from = prefix.endsWith("/") ? prefix : prefix + "/";
        try {
            if (Files.exists(directory)) {
                try (java.util.stream.Stream<Path> paths = Files.walk(directory)) {
                    for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(directory);
            for (ObjectInfo object : list(from)) {
                Path target = directory.resolve(object.key().substring(from.length())).normalize();
                if (!target.startsWith(directory)) {
                    throw new StoreException("object " + object.key() + " escapes " + from);
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = get(object.key())) {
                    Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return directory;
        } catch (StoreReadException e) {
            throw new StoreException("cannot copy " + from + " to " + directory + ": " + e.getMessage(), e, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + directory, e);
        }
    }

    /**
     * Opens {@code key} for streaming; the caller closes the stream. A read that fails because the
     * connection broke throws {@link StoreReadException}, so callers can tell it from a local I/O error.
     */
    public InputStream get(String key) {
        return call("get " + key, () -> {
            try {
                return new StoreReadException.Guarded(key,
                        client.getObject(GetObjectArgs.builder().bucket(bucket()).object(key).build()));
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    throw new NoSuchArtifactException(key);
                }
                throw e;
            }
        });
    }

    public byte[] getBytes(String key) {
        try (InputStream in = get(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new StoreException("read " + key + " in bucket " + bucket() + " at " + settings.endpoint()
                    + " failed: " + e.getMessage(), e, true); // the connection broke mid-body
        }
    }

    public Optional<ObjectInfo> stat(String key) {
        return call("stat " + key, () -> {
            try {
                StatObjectResponse s = client.statObject(StatObjectArgs.builder().bucket(bucket()).object(key).build());
                return Optional.of(new ObjectInfo(key, s.size(), s.etag(),
                        s.lastModified() == null ? null : s.lastModified().toInstant()));
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    public boolean exists(String key) {
        return stat(key).isPresent();
    }

    /** Objects under {@code prefix}, recursively, in key order. */
    public List<ObjectInfo> list(String prefix) {
        return call("list " + prefix, () -> {
            List<ObjectInfo> objects = new ArrayList<>();
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket()).prefix(prefix).recursive(true).build())) {
                Item item = result.get();
                if (!item.isDir()) {
                    objects.add(new ObjectInfo(item.objectName(), item.size(), item.etag(),
                            item.lastModified() == null ? null : item.lastModified().toInstant()));
                }
            }
            return objects;
        });
    }

    /** The next level of "folders" under {@code prefix} (each ends with {@code /}). */
    public List<String> listPrefixes(String prefix) {
        return call("list prefixes " + prefix, () -> {
            List<String> prefixes = new ArrayList<>();
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket()).prefix(prefix).delimiter("/").recursive(false).build())) {
                Item item = result.get();
                if (item.isDir()) {
                    prefixes.add(item.objectName());
                }
            }
            return prefixes;
        });
    }

    public void delete(String key) {
        call("delete " + key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket()).object(key).build());
            return null;
        });
    }

    /** Starts a multi-object artifact under {@code prefix} that becomes visible when its manifest is written. */
    public ArtifactCommit commit(String prefix) {
        return new ArtifactCommit(this, prefix);
    }

    @Override
    public void close() {
        try {
            client.close();
            probe.close();
        } catch (Exception e) {
            throw new StoreException("close client", e);
        }
    }

    private static boolean isNotFound(ErrorResponseException e) {
        String code = e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)
                || e.response() != null && e.response().code() == 404;
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T run() throws Exception;
    }

    private <T> T call(String what, StoreCall<T> body) {
        try {
            return body.run();
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException(what + " in bucket " + bucket() + " at " + settings.endpoint()
                    + " failed: " + e.getMessage(), e, isTransient(e));
        }
    }

    /**
     * Unreachable, timed out, cut off or a server-side error: the store, not the request, is at fault.
     * The client reports every network failure as an {@link IOException}; a 5xx answer as a
     * {@link ServerException} or an error response with a retryable code.
     */
    static boolean isTransient(Exception e) {
        if (e instanceof ServerException server) {
            return server.statusCode() != 501; // "not implemented" will not change by waiting
        }
        if (e instanceof IOException) {
            return true;
        }
        if (e instanceof ErrorResponseException error) {
            int status = error.response() == null ? 0 : error.response().code();
            return RETRYABLE_CODES.contains(error.errorResponse().code())
                    || status == 500 || status == 502 || status == 503 || status == 504;
        }
        return false;
    }
}
