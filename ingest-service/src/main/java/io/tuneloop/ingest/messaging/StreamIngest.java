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
import io.tuneloop.events.EventJson;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.service.resilience.Faults;
import io.tuneloop.service.resilience.Retrier;
import io.tuneloop.store.ArtifactLayout;
import io.tuneloop.store.ArtifactStore;
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
 * Invalid ones go to the dead-letter topic with the reason; a broker or store outage is waited out.
 */
@ApplicationScoped
public class StreamIngest {
    private static final Logger LOG = Logger.getLogger(StreamIngest.class);

    private final RawRecordPublisher publisher;
    private final IngestConfig config;
    private final MeterRegistry meters;
    private final Map<String, StreamBatch> open = new HashMap<>();
    /** Batches that take no more records and wait for their summary to be stored and sent. */
    private final List<StreamBatch> closing = new ArrayList<>();
    private ScheduledExecutorService closer;

    private static final class StreamBatch {
        final String batchId = IngestBatch.STREAM_BATCH_PREFIX + UUID.randomUUID();
        final Instant openedAt = Instant.now();
        final Set<String> recordIds = new HashSet<>();
        final List<Message<?>> deliveries = new ArrayList<>();
        long read;
        long duplicates;
        /** Fixed when the batch starts closing, so that a retried close stores and sends the same summary. */
        IngestBatch summary;
    }

    private final ArtifactStore store;
    private final Retrier retrier;

    public StreamIngest(RawRecordPublisher publisher, IngestConfig config, MeterRegistry meters, ArtifactStore store,
                        Retrier retrier) {
        this.publisher = publisher;
        this.config = config;
        this.meters = meters;
        this.store = store;
        this.retrier = retrier;
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
            Map<String, RawRecord> fresh = new java.util.LinkedHashMap<>();
            for (ParsedRecord record : parsed) {
                String recordId = RecordIds.of(record);
                if (batch.recordIds.contains(recordId) || fresh.containsKey(recordId)) {
                    continue;
                }
                fresh.put(recordId, IngestService.toRawRecord(record, recordId, dataset, batch.batchId,
                        batch.recordIds.size() + fresh.size(), null, "kafka:raw-input/" + partition));
            }
            // a broker outage is waited out with the message unacknowledged; the batch counts the
            // records only once Kafka has them all, so a retry sends the same records again
            try {
                retrier.untilDone("stream send: " + dataset, () -> {
                    RawRecordPublisher.Window window = publisher.window();
                    fresh.values().forEach(window::send);
                    window.flush();
                });
            } catch (RuntimeException e) {
                if (Faults.isTransient(e)) { // stopping while the broker is away: redelivered after the restart
                    return new CompletableFuture<>();
                }
                throw e;
            }
            batch.read += parsed.size();
            batch.duplicates += parsed.size() - fresh.size();
            batch.recordIds.addAll(fresh.keySet());
            batch.deliveries.add(message);
            if (batch.recordIds.size() >= config.stream().maxRecords()) {
                startClosing(dataset);
            }
        }
        return CompletableFuture.completedFuture(null); // acknowledged when its batch closes
    }

    private synchronized void closeExpired() {
        Instant cutoff = Instant.now().minus(config.stream().maxAge());
        for (String dataset : List.copyOf(open.keySet())) {
            if (open.get(dataset).openedAt.isBefore(cutoff)) {
                startClosing(dataset);
            }
        }
        for (StreamBatch batch : List.copyOf(closing)) {
            tryClose(batch);
        }
    }

    /** The dataset's open batch takes no more records from now on: new ones go to a new batch. */
    private void startClosing(String dataset) {
        StreamBatch batch = open.remove(dataset);
        batch.summary = new IngestBatch(batch.batchId, dataset, null, "kafka:raw-input", "stream", batch.read,
                batch.recordIds.size(), 0, batch.duplicates, null, Instant.now());
        closing.add(batch);
        tryClose(batch);
    }

    private void tryClose(StreamBatch batch) {
        try {
            close(batch);
        } catch (RuntimeException e) {
            LOG.warnf("cannot close stream batch %s of %s yet (%s); will retry", batch.batchId, batch.summary.dataset(),
                    e.getMessage());
        }
    }

    /**
     * Announces the batch, stores its summary (what ingest accepted, for reconciliation with what the
     * formatter seals), then acknowledges its input. A failure (store or broker down) leaves the
     * batch closing; the next attempt sends and stores the same summary.
     */
    private void close(StreamBatch batch) {
        String dataset = batch.summary.dataset();
        long accepted = batch.summary.recordsAccepted();
        // announced first: a crash before the summary is stored leaves a sealed batch the reconciliation
        // counts as sealed, never a stored summary whose records went to another batch
        publisher.announce(batch.summary);
        store.putBytes(ArtifactLayout.ingestBatch(dataset, batch.batchId), EventJson.toBytes(batch.summary),
                "application/json");
        closing.remove(batch);
        batch.deliveries.forEach(Message::ack);
        meters.counter("tuneloop.ingest.records", "outcome", "accepted").increment(accepted);
        meters.counter("tuneloop.ingest.records", "outcome", "duplicate").increment(batch.duplicates);
        LOG.infof("stream batch %s of %s closed: %d records", batch.batchId, dataset, accepted);
    }
}
