package io.tuneloop.service.resilience;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs an operation until it succeeds, waiting out transient faults ({@link Faults#isTransient})
 * with exponential backoff; any other failure is thrown at once. The caller's message stays
 * unacknowledged meanwhile, so nothing is lost if the process dies while it waits; the operation is
 * listed in {@link Outages} (readiness DOWN) and each retry is counted
 * ({@code tuneloop_retries_total{operation}}).
 */
@ApplicationScoped
public class Retrier {
    private static final Logger LOG = Logger.getLogger(Retrier.class);

    private final Outages outages;
    private final MeterRegistry meters;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    @Inject
    public Retrier(Outages outages, MeterRegistry meters) {
        this(outages, meters, Duration.ofMillis(250), Duration.ofSeconds(10));
    }

    public Retrier(Outages outages, MeterRegistry meters, Duration initialBackoff, Duration maxBackoff) {
        this.outages = outages;
        this.meters = meters;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** Retries for as long as the fault is transient (the dependency comes back, or the process stops). */
    public <T> T untilDone(String operation, Callable<T> body) {
        return retry(operation, null, body);
    }

    public void untilDone(String operation, Runnable body) {
        retry(operation, null, () -> {
            body.run();
            return null;
        });
    }

    /**
     * For a message handler: {@link #untilDone} the body. Bad input completes the stage exceptionally
     * (the message is dead-lettered with the reason); a transient fault that outlives the retries
     * (the service is stopping and interrupted the wait) leaves the stage incomplete, so the message
     * is neither acknowledged nor dead-lettered and is redelivered after the restart.
     */
    public CompletionStage<Void> handle(String operation, Runnable body) {
        try {
            untilDone(operation, body);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            if (Faults.isTransient(e)) {
                LOG.warnf("%s: left unacknowledged for redelivery (%s)", operation, e.getMessage());
                return new CompletableFuture<>();
            }
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Retries transient faults for at most {@code limit}, then throws the last one: for callers who
     * answer someone waiting (an HTTP request gets a 503 with Retry-After instead of hanging).
     */
    public <T> T within(String operation, Duration limit, Callable<T> body) {
        return retry(operation, System.nanoTime() + limit.toNanos(), body);
    }

    private <T> T retry(String operation, Long deadlineNanos, Callable<T> body) {
        long backoff = initialBackoff.toMillis();
        try {
            while (true) {
                try {
                    T result = body.call();
                    outages.recovered(operation);
                    return result;
                } catch (Exception e) {
                    if (!Faults.isTransient(e)) {
                        outages.recovered(operation);
                        throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
                    }
                    if (deadlineNanos != null && System.nanoTime() + backoff * 1_000_000L > deadlineNanos) {
                        outages.recovered(operation);
                        throw e instanceof RuntimeException runtime ? runtime : new Faults.TransientFault(e.getMessage(), e);
                    }
                    outages.failed(operation, e);
                    meters.counter("tuneloop.retries", "operation", kind(operation)).increment();
                    LOG.warnf("%s: %s; retrying in %d ms", operation, e.getMessage(), backoff);
                    Thread.sleep(backoff);
                    backoff = Math.min(maxBackoff.toMillis(), backoff * 2);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outages.recovered(operation);
            throw new Faults.TransientFault(operation + " interrupted while waiting to retry", e);
        }
    }

    /** The operation's first word(s) before any identifier, so the metric has few series ("seal batch"). */
    static String kind(String operation) {
        int colon = operation.indexOf(':');
        return (colon < 0 ? operation : operation.substring(0, colon)).trim();
    }
}
