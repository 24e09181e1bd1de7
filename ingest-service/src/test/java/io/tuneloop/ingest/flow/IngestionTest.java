package io.tuneloop.ingest.flow;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.ingest.dedup.DedupIndex;
import io.tuneloop.ingest.parse.ColumnMapping;
import io.tuneloop.service.resilience.Faults;
import io.tuneloop.service.resilience.Outages;
import io.tuneloop.service.resilience.Retrier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ingestion flow over in-memory ports: no broker, no store. */
class IngestionTest {
    /** The store: maps; {@code down} makes completing a batch fail as an unreachable store would. */
    static final class MemoryStore implements IngestPorts.UploadStore {
        final Map<String, IngestBatch> markers = new HashMap<>();
        final Map<String, byte[]> dedup = new HashMap<>();
        final Map<String, String> quarantines = new HashMap<>();
        boolean down;

        @Override
        public String storeRaw(Path file) {
            return "raw/" + file.getFileName();
        }

        @Override
        public String rawKey(String sha256) {
            return "raw/" + sha256;
        }

        @Override
        public String storeQuarantine(String dataset, String batchId, Path file) {
            try {
                quarantines.put(batchId, Files.readString(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return "quarantine/" + dataset + "/" + batchId + ".jsonl";
        }

        @Override
        public void complete(IngestBatch batch, Path dedupEntries) {
            if (down) {
                throw new Faults.TransientFault("store unavailable");
            }
            try {
                dedup.put(batch.dataset() + "/" + batch.batchId(), Files.readAllBytes(dedupEntries));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            markers.put(batch.dataset() + "/" + batch.batchId(), batch);
        }

        @Override
        public Optional<IngestBatch> batch(String dataset, String batchId) {
            return Optional.ofNullable(markers.get(dataset + "/" + batchId));
        }

        @Override
        public List<String> datasets() {
            return markers.values().stream().map(IngestBatch::dataset).distinct().toList();
        }
    }

    /** Committed transactions' records; {@code failCommit} aborts the next commit as a broker restart would. */
    static final class MemoryTransactions implements IngestPorts.RecordTransactions {
        final List<RawRecord> committed = new ArrayList<>();
        final List<IngestBatch> summaries = new ArrayList<>();
        boolean failCommit;

        @Override
        public IngestPorts.Transaction begin(io.tuneloop.events.Actor actor) {
            List<RawRecord> pending = new ArrayList<>();
            return new IngestPorts.Transaction() {
                @Override
                public void send(RawRecord record) {
                    pending.add(record);
                }

                @Override
                public void commit(IngestBatch summary) {
                    if (failCommit) {
                        failCommit = false;
                        throw new Faults.TransientFault("the transaction was aborted");
                    }
                    committed.addAll(pending);
                    summaries.add(summary);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /** One index per dataset, loaded from the stored dedup entries of complete batches and the unstored ones. */
    final class MemoryIndexes implements IngestPorts.AdmissionIndexes {
        final Map<String, DedupIndex> indexes = new HashMap<>();
        final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        final List<IngestPorts.Unstored> unstored = new ArrayList<>();

        @Override
        public java.util.concurrent.locks.ReentrantLock lock(String dataset) {
            return lock;
        }

        @Override
        public DedupIndex index(String dataset) {
            return indexes.computeIfAbsent(dataset, d -> {
                DedupIndex index = admission.newIndex();
                try {
                    for (IngestPorts.Unstored source : unstored) {
                        source.addTo(d, index);
                    }
                    for (var entry : store.dedup.entrySet()) {
                        if (entry.getKey().startsWith(d + "/")) {
                            index.readFrom(new ByteArrayInputStream(entry.getValue()));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return index;
            });
        }

        @Override
        public void forget(String dataset) {
            indexes.remove(dataset);
        }

        @Override
        public void register(IngestPorts.Unstored source) {
            unstored.add(source);
        }
    }

    final Admission admission = new Admission(new Admission.Policy(1, 10_000, Optional.of(Set.of("en")), 0.9, 128, 16));
    final MemoryStore store = new MemoryStore();
    final MemoryTransactions transactions = new MemoryTransactions();
    final MemoryIndexes indexes = new MemoryIndexes();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final Ingestion ingestion = new Ingestion(store, transactions, indexes, IngestPorts.Metrics.NONE, admission,
            new Ingestion.Settings(100_000, 10_000_000, Duration.ZERO),
            new Retrier(new Outages(), meters, Duration.ofMillis(1), Duration.ofMillis(2)),
            Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

    @AfterEach
    void stop() {
        ingestion.stop();
    }

    private IngestBatch upload(String dataset, String lines) {
        return ingestion.ingestUpload(dataset, "data.jsonl", new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)),
                null, ColumnMapping.NONE, new io.tuneloop.events.Actor("dana", "team-a"));
    }

    private static String lines(int from, int to) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < to; i++) {
            out.append("{\"instruction\": \"Name the colour of item ").append(i).append(" in the warehouse inventory list.\","
                    + " \"output\": \"Colour ").append(i * 7919 % 1000).append(".\"}\n");
        }
        return out.toString();
    }

    @Test
    void anUploadIsCommittedWholeAndTheSameFileAgainIsTheSameBatchSentOnce() {
        IngestBatch batch = upload("d", lines(0, 20));
        assertThat(batch.recordsAccepted()).isEqualTo(20);
        assertThat(batch.principal()).as("who uploaded it").isEqualTo("dana");
        assertThat(transactions.committed).hasSize(20).allMatch(r -> r.batchId().equals(batch.batchId()));
        assertThat(transactions.committed).extracting(RawRecord::sequence).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, 20).boxed().toList());
        assertThat(store.batch("d", batch.batchId())).contains(batch);

        IngestBatch again = upload("d", lines(0, 20));
        assertThat(again).isEqualTo(batch);
        assertThat(transactions.committed).hasSize(20);
        assertThat(ingestion.datasets()).containsExactly("d");
    }

    @Test
    void duplicatesAcrossUploadsAreDroppedAndRefusalsGoToTheQuarantineWithTheirReasons() {
        upload("d", lines(0, 10));
        IngestBatch second = upload("d", lines(5, 15)
                + "{\"instruction\": \"Nommez un nombre premier.\", \"output\": \"7\", \"language\": \"fr\"}\n"
                + "{not json\n");
        assertThat(second.recordsAccepted()).isEqualTo(5);
        assertThat(second.recordsDuplicate()).isEqualTo(5);
        assertThat(second.recordsRejected()).isEqualTo(2);
        assertThat(second.rejectedByReason()).containsEntry("language", 1L).containsEntry("malformed-json", 1L);
        assertThat(store.quarantines.get(second.batchId())).contains("language fr is not among the allowed")
                .contains("line");
        assertThat(second.quarantineKey()).isEqualTo("quarantine/d/" + second.batchId() + ".jsonl");
    }

    @Test
    void aBatchCommittedWhileTheStoreIsDownIsCompletedByTheRetryWithoutSendingItAgain() {
        store.down = true;
        assertThatThrownBy(() -> upload("d", lines(0, 10))).isInstanceOf(Faults.TransientFault.class)
                .hasMessageContaining("Send the same upload again");
        assertThat(transactions.committed).hasSize(10);
        assertThat(store.markers).isEmpty();
        store.down = false;
        IngestBatch later = upload("d", lines(5, 12));
        assertThat(later.recordsAccepted()).as("later uploads dedupe against the incomplete batch").isEqualTo(2);

        IngestBatch retried = upload("d", lines(0, 10));
        assertThat(retried.recordsAccepted()).isEqualTo(10);
        assertThat(transactions.committed).hasSize(12);
        assertThat(store.markers).hasSize(2);
    }

    @Test
    void anUploadWhoseTransactionDidNotCommitLeavesNothingAdmittedAndItsRetryIsAcceptedWhole() {
        transactions.failCommit = true;
        assertThatThrownBy(() -> upload("d", lines(0, 10))).isInstanceOf(Faults.TransientFault.class);
        assertThat(transactions.committed).isEmpty();
        IngestBatch retried = upload("d", lines(0, 10));
        assertThat(retried.recordsAccepted()).isEqualTo(10);
        assertThat(retried.recordsDuplicate()).isZero();
    }

    @Test
    void aDatasetNameThatIsNoNameIsRefused() {
        assertThatThrownBy(() -> upload("Bad Name!", lines(0, 1))).hasMessageContaining("dataset name must be");
    }
}
