package io.tuneloop.testing;

import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.StoreSettings;

import java.util.Map;

/**
 * The real backing services of a test JVM: one Kafka broker and one S3 server, started on first
 * use and stopped when the JVM exits. Every test class of the JVM shares them, so starting them is
 * paid once per module, not once per class; tests isolate themselves by dataset names and run ids.
 */
public final class TestStack {
    public static final String BUCKET = "tuneloop-test";

    private static TestStack instance;

    private final EmbeddedKafka kafka;
    private final EmbeddedS3 s3;

    private TestStack(EmbeddedKafka kafka, EmbeddedS3 s3) {
        this.kafka = kafka;
        this.s3 = s3;
    }

    public static synchronized TestStack get() {
        if (instance == null) {
            EmbeddedS3 s3 = EmbeddedS3.start();
            EmbeddedKafka kafka;
            try {
                kafka = EmbeddedKafka.start();
            } catch (RuntimeException e) {
                s3.close();
                throw e;
            }
            TestStack stack = new TestStack(kafka, s3);
            Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "tuneloop-test-stack-stop"));
            instance = stack;
        }
        return instance;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedS3 s3() {
        return s3;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** A client of the test bucket (created if missing); the caller closes it. */
    public ArtifactStore openStore() {
        ArtifactStore store = ArtifactStore.connect(new StoreSettings(s3.endpoint(), EmbeddedS3.ACCESS_KEY,
                EmbeddedS3.SECRET_KEY, BUCKET, null));
        store.ensureBucket();
        return store;
    }

    /** The configuration a tuneloop service needs to reach this stack. */
    public Map<String, String> serviceConfig() {
        return Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "tuneloop.store.endpoint", s3.endpoint(),
                "tuneloop.store.access-key", EmbeddedS3.ACCESS_KEY,
                "tuneloop.store.secret-key", EmbeddedS3.SECRET_KEY,
                "tuneloop.store.bucket", BUCKET);
    }

    private void stop() {
        try {
            kafka.close();
        } finally {
            s3.close();
        }
    }
}
