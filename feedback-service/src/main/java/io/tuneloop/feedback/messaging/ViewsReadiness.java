package io.tuneloop.feedback.messaging;

import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.tuneloop.events.Channels;
import io.quarkus.runtime.StartupEvent;
import jakarta.inject.Inject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Default;
import org.apache.kafka.common.TopicPartition;
import io.tuneloop.feedback.flow.RoundPorts;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether the views have caught up with the topics. Every instance reads review-items, ratings and
 * round-requests from the beginning (its own consumer group, nothing committed) and is ready once it
 * has applied everything that was on them when it started: before that, a queue or an aggregate
 * would be missing ratings, and the round policy would act on a partial picture.
 */
@ApplicationScoped
@Readiness
@Default // also injectable as itself, not only as a health check
public class ViewsReadiness implements HealthCheck, RoundPorts.Views {
    static final List<String> VIEW_CHANNELS = List.of(Channels.REVIEW_ITEMS_IN, Channels.RATINGS_IN,
            Channels.ROUND_REQUESTS_IN);
    /** A tail of records that never reach a handler (poison records, transaction markers) stops counting after this. */
    private static final long TAIL_GRACE_NANOS = Duration.ofSeconds(3).toNanos();
    private static final Logger LOG = Logger.getLogger(ViewsReadiness.class);

    @Inject KafkaClientService kafka;
    /** channel -> end offsets of its partitions when it was first assigned */
    private final Map<String, Map<TopicPartition, Long>> targets = new ConcurrentHashMap<>();
    /** next offset after the last record applied to the views */
    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;
    private long fetchedEverythingAt = -1;

    /** A record was applied to the views. */
    public void applied(Message<?> message) {
        message.getMetadata(IncomingKafkaRecordMetadata.class).ifPresent(m ->
                applied.merge(new TopicPartition(m.getTopic(), m.getPartition()), m.getOffset() + 1, Math::max));
    }

    public boolean caughtUp() {
        return caughtUp;
    }

    /** Checks the consumers' progress twice a second until the views have caught up, then stops. */
    void start(@Observes StartupEvent started) {
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "feedback-views-readiness");
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(() -> {
            if (poll()) {
                poller.shutdown();
            }
        }, 500, 500, TimeUnit.MILLISECONDS);
    }

    synchronized boolean poll() {
        if (caughtUp) {
            return true;
        }
        for (String channel : VIEW_CHANNELS) {
            if (!fetchedEverything(channel)) {
                fetchedEverythingAt = -1;
                return false;
            }
        }
        long now = System.nanoTime();
        if (fetchedEverythingAt < 0) {
            fetchedEverythingAt = now;
        }
        boolean allApplied = targets.values().stream().flatMap(t -> t.entrySet().stream())
                .allMatch(e -> applied.getOrDefault(e.getKey(), 0L) >= e.getValue());
        if (allApplied || now - fetchedEverythingAt > TAIL_GRACE_NANOS) {
            caughtUp = true;
            LOG.infof("views caught up with the topics: %s", targets);
        }
        return caughtUp;
    }

    private boolean fetchedEverything(String channel) {
        KafkaConsumer<Object, Object> consumer = kafka.getConsumer(channel);
        if (consumer == null) {
            return false;
        }
        try {
            Boolean fetched = consumer.runOnPollingThread(c -> {
                Set<TopicPartition> assignment = c.assignment();
                if (assignment.isEmpty()) {
                    return false; // not joined yet
                }
                Map<TopicPartition, Long> target = targets.computeIfAbsent(channel,
                        k -> new HashMap<>(c.endOffsets(assignment)));
                for (TopicPartition tp : assignment) {
                    if (c.position(tp) < target.getOrDefault(tp, 0L)) {
                        return false;
                    }
                }
                return true;
            }).await().atMost(Duration.ofSeconds(5));
            return Boolean.TRUE.equals(fetched);
        } catch (RuntimeException e) {
            LOG.debugf("views of %s not caught up yet: %s", channel, e.getMessage());
            return false;
        }
    }

    @Override
    public HealthCheckResponse call() {
        // only reads the flag: asking the consumers blocks, and probes must answer at once
        return HealthCheckResponse.named("feedback views").status(caughtUp).build();
    }
}
