package io.tuneloop.ingest.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.ingest.config.IngestConfig;
import io.tuneloop.service.messaging.Events;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends raw records and batch summaries, waiting for the broker's acknowledgement (acks=all) in
 * windows so that many records are in flight at once but none is reported sent before Kafka has it.
 */
@ApplicationScoped
public class RawRecordPublisher {
    private static final Duration ACK_TIMEOUT = Duration.ofMinutes(2);

    private final MutinyEmitter<RawRecord> records;
    private final MutinyEmitter<IngestBatch> batches;
    private final int window;

    public RawRecordPublisher(@Channel(Channels.RAW_RECORDS_OUT) MutinyEmitter<RawRecord> records,
                              @Channel(Channels.INGEST_BATCHES_OUT) MutinyEmitter<IngestBatch> batches,
                              IngestConfig config) {
        this.records = records;
        this.batches = batches;
        this.window = config.sendWindow();
    }

    /** A window of sends; {@link #flush} waits for all of them. */
    public final class Window {
        private final List<Uni<Void>> inFlight = new ArrayList<>();

        public void send(RawRecord record) {
            Uni<Void> sent = records.sendMessage(Events.message(Topics.RAW_RECORDS, record.dataset(), record,
                    "raw-record:" + record.batchId() + ":" + record.recordId()));
            inFlight.add(sent.memoize().indefinitely());
            inFlight.get(inFlight.size() - 1).subscribe().with(ok -> { }, failure -> { });
            if (inFlight.size() >= window) {
                flush();
            }
        }

        public void flush() {
            if (!inFlight.isEmpty()) {
                Uni.join().all(inFlight).andFailFast().await().atMost(ACK_TIMEOUT);
                inFlight.clear();
            }
        }
    }

    public Window window() {
        return new Window();
    }

    /** Announces a finished batch; call after every record of it is acknowledged. */
    public void announce(IngestBatch batch) {
        batches.sendMessageAndAwait(Events.message(Topics.INGEST_BATCHES, batch.dataset(), batch,
                "ingest-batch:" + batch.batchId()));
    }
}
