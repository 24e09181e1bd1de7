package io.tuneloop.store;

import io.tuneloop.testing.EmbeddedS3;
import io.tuneloop.testing.TestStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The artifact store against a real S3 server (S3Proxy in this JVM). */
class ArtifactStoreIT {
    private static ArtifactStore store;
    private final String prefix = "it-" + UUID.randomUUID() + "/";

    @BeforeAll
    static void connect() {
        EmbeddedS3 s3 = TestStack.get().s3();
        store = ArtifactStore.connect(new StoreSettings(s3.endpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY,
                "store-it", null));
        store.ensureBucket();
        store.ensureBucket(); // idempotent
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void putGetStatListDelete() {
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        store.putBytes(prefix + "a/one.txt", hello, "text/plain");
        store.putBytes(prefix + "a/two.txt", hello, "text/plain");
        store.putBytes(prefix + "b/three.txt", hello, "text/plain");

        assertThat(store.getBytes(prefix + "a/one.txt")).isEqualTo(hello);
        assertThat(store.stat(prefix + "a/one.txt")).hasValueSatisfying(info -> assertThat(info.size()).isEqualTo(5));
        assertThat(store.stat(prefix + "missing")).isEmpty();
        assertThat(store.list(prefix + "a/")).extracting(ObjectInfo::key)
                .containsExactly(prefix + "a/one.txt", prefix + "a/two.txt");
        assertThat(store.listPrefixes(prefix)).containsExactly(prefix + "a/", prefix + "b/");

        store.delete(prefix + "a/one.txt");
        assertThat(store.exists(prefix + "a/one.txt")).isFalse();
        assertThatThrownBy(() -> store.get(prefix + "a/one.txt")).isInstanceOf(NoSuchArtifactException.class)
                .hasMessageContaining(prefix + "a/one.txt");
    }

    @Test
    void streamsObjectsLargerThanOnePartWithoutKnowingTheirSize() throws Exception {
        long size = ArtifactStore.PART_SIZE + 1234;
        InputStream generated = new RandomStream(size, 42);
        store.put(prefix + "big.bin", generated, -1, null);

        assertThat(store.stat(prefix + "big.bin")).hasValueSatisfying(info -> assertThat(info.size()).isEqualTo(size));
        try (InputStream back = store.get(prefix + "big.bin"); InputStream expected = new RandomStream(size, 42)) {
            var a = Sha256.digest();
            var b = Sha256.digest();
            a.update(back.readAllBytes());
            b.update(expected.readAllBytes());
            assertThat(Sha256.hex(a)).isEqualTo(Sha256.hex(b));
        }
    }

    @Test
    void contentAddressedPutsStoreIdenticalBytesOnce() {
        byte[] data = "same bytes".getBytes(StandardCharsets.UTF_8);
        ContentAddress first = store.putContentAddressed(prefix + "raw/", new ByteArrayInputStream(data), null);
        ContentAddress second = store.putContentAddressed(prefix + "raw/", new ByteArrayInputStream(data), null);

        assertThat(first.created()).isTrue();
        assertThat(second.created()).isFalse();
        assertThat(second.key()).isEqualTo(first.key()).isEqualTo(prefix + "raw/" + Sha256.hex(data));
        assertThat(first.size()).isEqualTo(data.length);
        assertThat(store.list(prefix + "raw/")).hasSize(1);
    }

    @Test
    void aCommitExistsOnlyOnceItsManifestIsWritten() {
        ArtifactCommit commit = store.commit(prefix + "datasets/demo/v1");
        ArtifactCommit.PartInfo part = commit.put("train-0.jsonl",
                new ByteArrayInputStream("{}\n{}\n".getBytes(StandardCharsets.UTF_8)), "application/x-ndjson");
        assertThat(part.size()).isEqualTo(6);
        assertThat(store.exists(prefix + "datasets/demo/v1/manifest.json")).isFalse();

        String key = commit.seal("manifest.json", "{\"parts\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(key).isEqualTo(prefix + "datasets/demo/v1/manifest.json");
        assertThat(store.exists(key)).isTrue();
        assertThatThrownBy(() -> commit.putBytes("late", new byte[1], null)).hasMessageContaining("already sealed");
    }

    @Test
    void aWrongSecretFailsWithTheOperationNamed() {
        EmbeddedS3 s3 = TestStack.get().s3();
        try (ArtifactStore wrong = ArtifactStore.connect(new StoreSettings(s3.endpoint(), EmbeddedS3.ACCESS_KEY,
                "wrong", "store-it", null))) {
            assertThatThrownBy(() -> wrong.getBytes("x")).isInstanceOf(StoreException.class)
                    .hasMessageContaining("get x in bucket store-it");
        }
    }

    /** Deterministic pseudo-random bytes, never held whole in memory. */
    private static final class RandomStream extends InputStream {
        private final Random random;
        private long remaining;

        RandomStream(long size, long seed) {
            this.remaining = size;
            this.random = new Random(seed);
        }

        @Override
        public int read() {
            if (remaining <= 0) {
                return -1;
            }
            remaining--;
            return random.nextInt(256);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) random.nextInt(256);
            }
            remaining -= n;
            return n;
        }
    }
}
