package io.tuneloop.ingest.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.tuneloop.events.Channels;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.ingest.config.IngestConfig;
import io.tuneloop.ingest.parse.InvalidRecordException;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.RecordIds;
import io.tuneloop.ingest.parse.RecordMapper;
import io.tuneloop.ingest.service.IngestService;
import io.tuneloop.ingest.service.RawRecordPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Raw JSON records streamed in on raw-input (keyed by dataset). Valid ones are announced on
 * raw-records at once and grouped per dataset into stream batches, closed by size or age with a
 * batch summary; their input messages are acknowledged only then, so a crash redelivers them.
 * Invalid ones go to the dead-letter topic with the reason.
 */
@ApplicationScoped
public class StreamIngest {
    private static final Logger LOG = Logger.getLogger(StreamIngest.class);

    private final RawRecordPublisher publisher;
    private final IngestConfig config;
    private final MeterRegistry meters;
    private final Map<String, StreamBatch> open = new HashMap<>();
    private ScheduledExecutorService closer;

    private static final class StreamBatch {
        final String batchId = "stream-" + UUID.randomUUID();
        final Instant openedAt = Instant.now();
        final Set<String> recordIds = new HashSet<>();
        final List<Message<?>> deliveries = new ArrayList<>();
        long read;
        long duplicates;
    }

    public StreamIngest(RawRecordPublisher publisher, IngestConfig config, MeterRegistry meters) {
        this.publisher = publisher;
        this.config = config;
        this.meters = meters;
    }

    void start(@Observes StartupEvent event) {
        closer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "stream-batch-closer"));
        long period = Math.max(100, config.stream().maxAge().toMillis() / 4);
        closer.scheduleWithFixedDelay(this::closeExpired, period, period, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (closer != null) {
            closer.shutdownNow();
        }
    }

    @Incoming(Channels.RAW_INPUT_IN)
    @Blocking
    public CompletionStage<Void> onRawInput(Message<JsonNode> message) {
        String dataset = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> (String) m.getKey()).orElse(null);
        long offset = message.getMetadata(IncomingKafkaRecordMetadata.class).map(m -> m.getOffset()).orElse(-1L);
        int partition = message.getMetadata(IncomingKafkaRecordMetadata.class).map(m -> m.getPartition()).orElse(-1);
        List<ParsedRecord> parsed;
        try {
            IngestService.checkDatasetName(dataset);
            parsed = RecordMapper.map(message.getPayload(), offset + 1);
        } catch (IllegalArgumentException | InvalidRecordException e) {
            meters.counter("tuneloop.ingest.records", "outcome", "rejected").increment();
            return message.nack(new IllegalArgumentException("raw-input record rejected: " + e.getMessage()));
        }
        synchronized (this) {
            StreamBatch batch = open.computeIfAbsent(dataset, d -> new StreamBatch());
            RawRecordPublisher.Window window = publisher.window();
            for (ParsedRecord record : parsed) {
                batch.read++;
                String recordId = RecordIds.of(record);
                if (!batch.recordIds.add(recordId)) {
                    batch.duplicates++;
                    continue;
                }
                window.send(IngestService.toRawRecord(record, recordId, dataset, batch.batchId,
                        batch.recordIds.size() - 1, null, "kafka:raw-input/" + partition));
            }
            window.flush();
            batch.deliveries.add(message);
            if (batch.recordIds.size() >= config.stream().maxRecords()) {
                close(dataset);
            }
        }
        return CompletableFuture.completedFuture(null); // acknowledged when its batch closes
    }

    private synchronized void closeExpired() {
        Instant cutoff = Instant.now().minus(config.stream().maxAge());
        for (String dataset : List.copyOf(open.keySet())) {
            if (open.get(dataset).openedAt.isBefore(cutoff)) {
                try {
                    close(dataset);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "cannot close stream batch of %s yet; will retry", dataset);
                }
            }
        }
    }

    private void close(String dataset) {
        StreamBatch batch = open.get(dataset);
        long accepted = batch.recordIds.size();
        publisher.announce(new IngestBatch(batch.batchId, dataset, null, "kafka:raw-input", "stream", batch.read,
                accepted, 0, batch.duplicates, null, Instant.now()));
        open.remove(dataset);
        batch.deliveries.forEach(Message::ack);
        meters.counter("tuneloop.ingest.records", "outcome", "accepted").increment(accepted);
        meters.counter("tuneloop.ingest.records", "outcome", "duplicate").increment(batch.duplicates);
        LOG.infof("stream batch %s of %s closed: %d records", batch.batchId, dataset, accepted);
    }
}
