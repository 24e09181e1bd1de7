package io.tuneloop.service.resilience;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operations waiting for a dependency right now (a seal waiting for the store, a send waiting
 * for the broker). While any waits, the service is not ready: see {@link OutagesHealthCheck}.
 */
@ApplicationScoped
@Startup
public class Outages {
    /** An operation that failed transiently and is waiting to retry. */
    public record Outage(String operation, Instant since, int attempts, String lastError) {
    }

    private final Map<String, Outage> waiting = new ConcurrentHashMap<>();

    /** For unit tests: no metric. */
    public Outages() {
    }

    /** Publishes {@code tuneloop_dependency_waiting}: how many operations wait for a dependency now. */
    @Inject
    public Outages(MeterRegistry meters) {
        meters.gauge("tuneloop.dependency.waiting", waiting, Map::size);
    }

    void failed(String operation, Throwable error) {
        waiting.compute(operation, (key, earlier) -> new Outage(operation,
                earlier == null ? Instant.now() : earlier.since(), earlier == null ? 1 : earlier.attempts() + 1,
                String.valueOf(error.getMessage())));
    }

    void recovered(String operation) {
        waiting.remove(operation);
    }

    public Map<String, Outage> current() {
        return new TreeMap<>(waiting);
    }

    public boolean any() {
        return !waiting.isEmpty();
    }
}
