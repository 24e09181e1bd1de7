package io.tuneloop.service;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tuneloop.service.resilience.Faults;
import io.tuneloop.service.resilience.Outages;
import io.tuneloop.service.resilience.Retrier;
import io.tuneloop.store.NoSuchArtifactException;
import io.tuneloop.store.StoreException;
import io.tuneloop.store.StoreReadException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetrierTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Outages outages = new Outages();
    private final Retrier retrier = new Retrier(outages, meters, Duration.ofMillis(1), Duration.ofMillis(4));

    private static StoreException storeDown() {
        return new StoreException("list datasets/ failed: Failed to connect", new ConnectException("refused"), true);
    }

    @Test
    void transientFaultsAreTheStoreOrBrokerAwayNotTheInput() {
        assertThat(Faults.isTransient(storeDown())).isTrue();
        assertThat(Faults.isTransient(new RuntimeException("seal failed", storeDown()))).as("wrapped").isTrue();
        assertThat(Faults.isTransient(new UncheckedIOException(new StoreReadException("k", new IOException("reset")))))
                .as("a body cut off mid-read").isTrue();
        assertThat(Faults.isTransient(new org.apache.kafka.common.errors.TimeoutException("metadata"))).isTrue();
        assertThat(Faults.isTransient(new org.apache.kafka.common.errors.NotEnoughReplicasException("isr"))).isTrue();

        assertThat(Faults.isTransient(new NoSuchArtifactException("datasets/x/spec.json"))).isFalse();
        assertThat(Faults.isTransient(new StoreException("access denied"))).isFalse();
        assertThat(Faults.isTransient(new IllegalArgumentException("round request names v9, which does not exist")))
                .isFalse();
        assertThat(Faults.isTransient(new org.apache.kafka.common.errors.RecordTooLargeException("too big"))).isFalse();
        assertThat(Faults.isTransient(new UncheckedIOException(new IOException("disk full")))).isFalse();
    }

    @Test
    void anOutageIsWaitedOutAndListedWhileItLasts() {
        AtomicInteger calls = new AtomicInteger();
        String result = retrier.untilDone("seal batch: b1", () -> {
            if (calls.incrementAndGet() < 4) {
                assertThat(calls.get() == 1 || outages.current().containsKey("seal batch: b1")).isTrue();
                throw storeDown();
            }
            return "sealed";
        });
        assertThat(result).isEqualTo("sealed");
        assertThat(calls).hasValue(4);
        assertThat(outages.any()).as("recovered").isFalse();
        assertThat(meters.counter("tuneloop.retries", "operation", "seal batch").count()).isEqualTo(3);
    }

    @Test
    void badInputIsThrownAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier.untilDone("seal round: r1", () -> {
            calls.incrementAndGet();
            throw new IllegalArgumentException("no such version");
        })).isInstanceOf(IllegalArgumentException.class);
        assertThat(calls).hasValue(1);
        assertThat(outages.any()).isFalse();
    }

    @Test
    void aBoundedWaitGivesUpWithTheLastTransientFault() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier.within("complete batch: b1", Duration.ofMillis(30), () -> {
            calls.incrementAndGet();
            throw storeDown();
        })).isInstanceOf(StoreException.class).satisfies(e -> assertThat(Faults.isTransient(e)).isTrue());
        assertThat(calls.get()).isGreaterThan(1);
        assertThat(outages.any()).as("nothing left waiting").isFalse();
    }
}
