package io.tuneloop.ingest.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.tuneloop.events.Channels;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.IngestBatch.StreamRange;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.ingest.config.IngestConfig;
import io.tuneloop.ingest.dedup.DedupIndex;
import io.tuneloop.ingest.flow.Admission;
import io.tuneloop.ingest.parse.InvalidRecordException;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.RecordMapper;
import io.tuneloop.ingest.parse.Rejection;
import io.tuneloop.ingest.flow.IngestPorts;
import io.tuneloop.ingest.flow.Ingestion;
import io.tuneloop.ingest.metrics.IngestMeters;
import io.tuneloop.ingest.store.DatasetIndexes;
import io.tuneloop.service.resilience.Faults;
import io.tuneloop.service.resilience.Retrier;
import io.tuneloop.store.Artifact;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Raw JSON records streamed in on raw-input (keyed by dataset), admitted by the same policy as
 * uploads (exact and near-duplicates against everything the dataset holds, length and language
 * filters, quarantine with the reason). Accepted records are announced on raw-records at once and
 * grouped per dataset and partition into stream batches, closed by size or age with a batch summary;
 * their input messages are acknowledged only then, so a crash redelivers them.
 *
 * <p>A batch's id derives from the position of its first input message; its stored summary fixes
 * the range it covers, and a cursor per dataset and partition says through which offset batches are
 * closed. Input redelivered after a crash is skipped where it was in a stored batch (which is
 * announced again), and otherwise makes the same batch again under the same id, which the
 * formatter seals once. One ingest instance per partition is assumed: two instances racing over a
 * rebalanced partition could build batches of one id over different ranges. A message that is not a record goes to the dead-letter topic
 * with the reason; a broker or store outage is waited out.
 */
@ApplicationScoped
public class StreamIngest {
    private static final Logger LOG = Logger.getLogger(StreamIngest.class);

    /** Where a dataset's stream input comes from: its messages in one partition, in offset order. */
    private record Source(String dataset, int partition) {
    }

    /** How far a dataset's stream batches of one partition are closed (stored after each batch). */
    public record StreamCursor(int partition, long closedThrough, String batchId) {
    }

    private static final Artifact<Artifacts.StreamPartition, StreamCursor> CURSORS =
            Artifacts.STREAM_CURSOR.as(StreamCursor.class);
    private static final Artifact<Artifacts.Batch, List<Rejection>> REJECTIONS = Artifacts.QUARANTINE.lines(Rejection.class);

    private static final class StreamBatch {
        final Source source;
        final String batchId;
        final long firstOffset;
        final Instant openedAt = Instant.now();
        final DedupIndex entries;
        final Admission.Tally tally = new Admission.Tally();
        final List<Rejection> rejections = new ArrayList<>();
        final List<Message<?>> deliveries = new ArrayList<>();
        long lastOffset;
        /** Fixed when the batch starts closing, so that a retried close stores and sends the same summary. */
        IngestBatch summary;

        StreamBatch(Source source, long firstOffset, DedupIndex entries) {
            this.source = source;
            this.batchId = StreamRange.batchId(source.partition(), firstOffset);
            this.firstOffset = firstOffset;
            this.lastOffset = firstOffset;
            this.entries = entries;
        }
    }

    private final RawRecordPublisher publisher;
    private final IngestConfig config;
    private final IngestMeters meters;
    private final ArtifactStore store;
    private final Retrier retrier;
    private final Admission admission;
    private final IngestPorts.AdmissionIndexes indexes;
    /** Mutated only with the dataset's lock held (see {@link IngestPorts.AdmissionIndexes#lock}). */
    private final ConcurrentHashMap<Source, StreamBatch> open = new ConcurrentHashMap<>();
    /** Batches that take no more records and wait for their summary to be stored and sent. */
    private final List<StreamBatch> closing = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<Source, Long> closedThrough = new ConcurrentHashMap<>();
    private ScheduledExecutorService closer;

    public StreamIngest(RawRecordPublisher publisher, IngestConfig config, IngestMeters meters, ArtifactStore store,
                        Retrier retrier, Admission admission, IngestPorts.AdmissionIndexes indexes) {
        this.publisher = publisher;
        this.config = config;
        this.meters = meters;
        this.store = store;
        this.retrier = retrier;
        this.admission = admission;
        this.indexes = indexes;
        indexes.register(new UnstoredBatches());
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
        Optional<IncomingKafkaRecordMetadata> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class);
        String dataset = kafka.map(m -> (String) m.getKey()).orElse(null);
        long offset = kafka.map(m -> m.getOffset()).orElse(-1L);
        int partition = kafka.map(m -> m.getPartition()).orElse(-1);
        List<ParsedRecord> parsed;
        try {
            Ingestion.checkDatasetName(dataset);
            parsed = RecordMapper.map(message.getPayload(), offset + 1);
        } catch (IllegalArgumentException | InvalidRecordException e) {
            meters.unreadable();
            return message.nack(new IllegalArgumentException("raw-input record rejected: " + e.getMessage()));
        }
        Source source = new Source(dataset, partition);
        // a stream message of a dataset waits while an upload of it is admitted: each checks against the other
        ReentrantLock lock = indexes.lock(dataset);
        lock.lock();
        try {
            if (offset <= closedThrough(source, offset)) {
                LOG.debugf("raw-input %d/%d of %s is in a closed stream batch already", partition, offset, dataset);
                return message.ack();
            }
            StreamBatch batch = open.computeIfAbsent(source, s -> new StreamBatch(s, offset, admission.newIndex()));
            admit(batch, parsed, message, offset);
            if (batch.tally.accepted() >= config.stream().maxRecords()) {
                startClosing(batch);
            }
        } catch (RuntimeException e) {
            if (Faults.isTransient(e)) { // stopping while the broker or store is away: redelivered after the restart
                return new CompletableFuture<>();
            }
            throw e;
        } finally {
            lock.unlock();
        }
        return CompletableFuture.completedFuture(null); // acknowledged when its batch closes
    }

    /**
     * Admits one message's records into its batch. The batch counts them only once Kafka has every
     * accepted one; a failure forgets the dataset's index, which is loaded again without them.
     */
    private void admit(StreamBatch batch, List<ParsedRecord> parsed, Message<?> message, long offset) {
        String dataset = batch.source.dataset();
        DedupIndex index = indexes.index(dataset);
        Admission.Tally tally = new Admission.Tally();
        List<Admission.Candidate> accepted = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        List<RawRecord> records = new ArrayList<>();
        for (ParsedRecord record : parsed) {
            Admission.Candidate candidate = admission.candidate(record);
            Admission.Verdict verdict = admission.admit(index, candidate);
            tally.count(verdict);
            if (verdict.rejection() != null) {
                rejections.add(verdict.rejection());
            }
            if (verdict.outcome() == Admission.Outcome.ACCEPTED) {
                accepted.add(candidate);
                records.add(Ingestion.toRawRecord(record, candidate.recordId(), dataset, batch.batchId,
                        batch.tally.accepted() + records.size(), null,
                        "kafka:raw-input/" + batch.source.partition()));
            }
        }
        try {
            // a broker outage is waited out with the message unacknowledged
            retrier.untilDone("stream send: " + dataset, () -> {
                RawRecordPublisher.Window window = publisher.window();
                records.forEach(window::send);
                window.flush();
            });
        } catch (RuntimeException e) {
            indexes.forget(dataset);
            throw e;
        }
        for (Admission.Candidate candidate : accepted) {
            batch.entries.add(candidate.recordId(), candidate.signature());
        }
        for (Rejection rejection : rejections) {
            meters.rejection(rejection.kind());
        }
        batch.tally.add(tally);
        batch.rejections.addAll(rejections);
        batch.deliveries.add(message);
        batch.lastOffset = offset;
    }

    /**
     * Through which offset of the source the batches are closed, read from the store on first use.
     * A batch whose summary is stored but whose cursor is not (a crash after the summary) is found by
     * its id, the position of its first message: it is announced again (its announcement may not
     * have been sent) and its input up to its last offset is skipped, so it keeps the range it was
     * stored with.
     */
    private long closedThrough(Source source, long offset) {
        Long known = closedThrough.get(source);
        if (known == null) {
            known = retrier.untilDone("read stream cursor: " + source, () -> {
                return CURSORS.find(store, new Artifacts.StreamPartition(source.dataset(), source.partition()))
                        .map(StreamCursor::closedThrough).orElse(-1L);
            });
            closedThrough.put(source, known);
        }
        if (offset > known && !open.containsKey(source)) {
            String batchId = StreamRange.batchId(source.partition(), offset);
            Optional<IngestBatch> closed = retrier.untilDone("read stream batch: " + batchId, () ->
                    Artifacts.INGEST_BATCH.find(store, new Artifacts.Batch(source.dataset(), batchId)));
            if (closed.isPresent() && closed.get().streamRange() != null) {
                LOG.infof("stream batch %s of %s was stored before a restart: announcing it again", batchId,
                        source.dataset());
                retrier.untilDone("announce stream batch: " + batchId, () -> publisher.announce(closed.get()));
                storeCursor(source, closed.get());
                known = closedThrough.get(source);
            }
        }
        return known;
    }

    private void storeCursor(Source source, IngestBatch closed) {
        long through = Math.max(closed.streamRange().lastOffset(), closedThrough.getOrDefault(source, -1L));
        CURSORS.write(store, new Artifacts.StreamPartition(source.dataset(), source.partition()),
                new StreamCursor(source.partition(), through, closed.batchId()));
        closedThrough.put(source, through);
    }

    /**
     * Closes batches open longer than the maximum age, and retries closing ones that failed. A
     * dataset busy with an upload is left for the next round, so one upload does not stall the
     * batches of every other dataset.
     */
    private void closeExpired() {
        Instant cutoff = Instant.now().minus(config.stream().maxAge());
        for (StreamBatch batch : List.copyOf(open.values())) {
            if (batch.openedAt.isBefore(cutoff)) {
                withLockIfFree(batch.source.dataset(), () -> {
                    if (open.get(batch.source) == batch) {
                        startClosing(batch);
                    }
                });
            }
        }
        for (StreamBatch batch : List.copyOf(closing)) {
            withLockIfFree(batch.source.dataset(), () -> tryClose(batch));
        }
    }

    private void withLockIfFree(String dataset, Runnable work) {
        ReentrantLock lock = indexes.lock(dataset);
        if (lock.tryLock()) {
            try {
                work.run();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The batch takes no more records from now on: new ones of its source go to a new batch. */
    private void startClosing(StreamBatch batch) {
        open.remove(batch.source, batch);
        String dataset = batch.source.dataset();
        String quarantineKey = batch.rejections.isEmpty() ? null
                : Artifacts.QUARANTINE.key(new Artifacts.Batch(dataset, batch.batchId));
        batch.summary = new IngestBatch(batch.batchId, dataset, null, "kafka:raw-input", "stream", batch.tally.total(),
                batch.tally.accepted(), batch.tally.rejected(), batch.tally.duplicates(), quarantineKey, Instant.now(),
                batch.tally.byReason(), new StreamRange(batch.source.partition(), batch.firstOffset, batch.lastOffset));
        closing.add(batch);
        tryClose(batch);
    }

    /** Closes the batch unless an earlier batch of its source is still closing: a source's batches close in order. */
    private void tryClose(StreamBatch batch) {
        for (StreamBatch earlier : closing) {
            if (earlier == batch) {
                break;
            }
            if (earlier.source.equals(batch.source)) {
                return; // it closes first; the cursor must never pass a batch that is not stored
            }
        }
        try {
            close(batch);
        } catch (RuntimeException e) {
            LOG.warnf("cannot close stream batch %s of %s yet (%s); will retry", batch.batchId, batch.summary.dataset(),
                    e.getMessage());
        }
    }

    /**
     * Stores the batch's quarantine, its dedup entries and its summary (what ingest accepted, for
     * reconciliation with what the formatter seals: the marker that fixes the batch's range), then
     * announces it, moves the cursor past it, and acknowledges its input. A failure (store or broker
     * down) leaves the batch closing; the next attempt stores and sends the same summary, and after a
     * crash the stored summary is found and announced again (see {@link #closedThrough}).
     */
    private void close(StreamBatch batch) {
        IngestBatch summary = batch.summary;
        String dataset = summary.dataset();
        Artifacts.Batch address = new Artifacts.Batch(dataset, batch.batchId);
        if (summary.quarantineKey() != null) {
            REJECTIONS.write(store, address, batch.rejections);
        }
        Artifacts.INGEST_DEDUP.write(store, address, DatasetIndexes.bytes(batch.entries));
        Artifacts.INGEST_BATCH.write(store, address, summary);
        publisher.announce(summary);
        storeCursor(batch.source, summary);
        closing.remove(batch);
        batch.deliveries.forEach(Message::ack);
        meters.records(batch.tally);
        LOG.infof("stream batch %s of %s closed: %d accepted, %d duplicates, %d rejected", batch.batchId, dataset,
                summary.recordsAccepted(), summary.recordsDuplicate(), summary.recordsRejected());
    }

    /** The entries of open and closing batches: accepted, not stored yet. */
    private final class UnstoredBatches implements IngestPorts.Unstored {
        private Stream<StreamBatch> of(String dataset) {
            return Stream.concat(open.values().stream(), closing.stream())
                    .filter(batch -> batch.source.dataset().equals(dataset)).distinct();
        }

        @Override
        public void addTo(String dataset, DedupIndex index) throws IOException {
            of(dataset).forEach(batch -> DatasetIndexes.addAll(batch.entries, index));
        }

        @Override
        public Set<String> batchIds(String dataset) {
            return of(dataset).map(batch -> batch.batchId).collect(Collectors.toSet());
        }
    }
}
