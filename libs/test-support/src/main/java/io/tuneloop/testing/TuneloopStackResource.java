package io.tuneloop.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the JVM's real Kafka broker and S3 server, and makes it verify
 * {@link TestTokens}. {@code stop} leaves them running for the next test class; they stop with the JVM.
 */
public class TuneloopStackResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new java.util.HashMap<>(TestStack.get().serviceConfig());
        config.putAll(TestTokens.serviceConfig());
        return config;
    }

    @Override
    public void stop() {
        // shared by every test class of this JVM; stopped by a shutdown hook
    }
}
