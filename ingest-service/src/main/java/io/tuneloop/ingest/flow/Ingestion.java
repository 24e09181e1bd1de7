package io.tuneloop.ingest.flow;

import io.tuneloop.events.Actor;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.JsonLines;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.ingest.dedup.DedupIndex;
import io.tuneloop.ingest.parse.ColumnMapping;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.Rejection;
import io.tuneloop.ingest.parse.UploadFormat;
import io.tuneloop.ingest.parse.UploadReader;
import io.tuneloop.service.resilience.Faults;
import io.tuneloop.service.resilience.Retrier;
import io.tuneloop.store.Sha256;
import org.jboss.logging.Logger;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Ingests one upload: the raw bytes are stored content-addressed before anything is announced,
 * then read back as a stream, validated and deduplicated; accepted records go to raw-records,
 * rejected ones to a quarantine object with their reasons, and the batch summary goes last, all
 * in one Kafka transaction (see {@link TransactionalBatchPublisher}). The same file uploaded twice to
 * the same dataset is the same batch (its id derives from the content): once committed, a retry
 * returns the stored summary and sends nothing.
 *
 * <p>Plain Java over its ports ({@link IngestPorts}): the store, the Kafka transactions, the
 * datasets' dedup indexes, metrics and a clock; what it admits is {@link Admission}'s decision.
 */
public final class Ingestion {
    private static final Logger LOG = Logger.getLogger(Ingestion.class);
    private static final Pattern DATASET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /**
     * @param maxRecordChars       longest accepted record (one JSON line), in characters
     * @param maxDecompressedBytes largest upload once decompressed (a gzip bomb stops here)
     * @param completionWait       how long a committed upload waits for the store to take its summary before 503
     */
    public record Settings(int maxRecordChars, long maxDecompressedBytes, Duration completionWait) {
    }

    private final IngestPorts.UploadStore store;
    private final IngestPorts.RecordTransactions batches;
    private final IngestPorts.AdmissionIndexes indexes;
    private final IngestPorts.Metrics metrics;
    private final Admission admission;
    private final Settings settings;
    private final Retrier retrier;
    private final Clock clock;
    /**
     * Batches whose Kafka transaction committed but whose summary and dedup entries are not in the
     * store yet (it was down): finished by the upload's retry or by {@link #completePending()}.
     */
    private final ConcurrentHashMap<String, Completion> completions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService completer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "ingest-batch-completer");
        thread.setDaemon(true);
        return thread;
    });
    /** Stores raw uploads in the object store while they are parsed. */
    private final ExecutorService rawUploads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "raw-upload-store");
        thread.setDaemon(true);
        return thread;
    });

    public Ingestion(IngestPorts.UploadStore store, IngestPorts.RecordTransactions batches,
                     IngestPorts.AdmissionIndexes indexes, IngestPorts.Metrics metrics, Admission admission,
                     Settings settings, Retrier retrier, Clock clock) {
        this.store = store;
        this.batches = batches;
        this.indexes = indexes;
        this.metrics = metrics;
        this.admission = admission;
        this.settings = settings;
        this.retrier = retrier;
        this.clock = clock;
        indexes.register(new UnstoredCompletions());
        metrics.watchIncomplete(completions);
        completer.scheduleWithFixedDelay(this::completePending, 5, 5, TimeUnit.SECONDS);
    }

    /**
     * A committed batch still to be made durable in the store: its dedup entries (a local file), then
     * its summary, the marker that says the batch is complete.
     */
    private record Completion(IngestBatch batch, Path dedupEntries) {
    }

    public static void checkDatasetName(String dataset) {
        if (dataset == null || !DATASET_NAME.matcher(dataset).matches()) {
            throw new IllegalArgumentException("dataset name must be 1-63 characters of a-z, 0-9, '.', '_', '-',"
                    + " starting with a letter or digit; was " + dataset);
        }
    }

    public IngestBatch ingestUpload(String dataset, String fileName, InputStream body) {
        return ingestUpload(dataset, fileName, body, null, ColumnMapping.NONE, null);
    }

    /**
     * @param format  the container format, or null to detect it
     * @param mapping which source fields are instruction, input, output, ... (for data in no known format)
     * @param actor   who uploads it, for which team (recorded in the batch and its events); null for none
     */
    public IngestBatch ingestUpload(String dataset, String fileName, InputStream body, UploadFormat format,
                                    ColumnMapping mapping, Actor actor) {
        checkDatasetName(dataset);
        // one upload of a dataset at a time: each dedupes against everything committed before it
        long started = System.nanoTime();
        java.util.concurrent.locks.ReentrantLock lock = indexes.lock(dataset);
        lock.lock();
        try {
            return ingestLocked(dataset, fileName, body, format, mapping, actor);
        } finally {
            lock.unlock();
            metrics.uploadTime(System.nanoTime() - started);
        }
    }

    private IngestBatch ingestLocked(String dataset, String fileName, InputStream body, UploadFormat format,
                                     ColumnMapping mapping, Actor actor) {
        String taskName = fileName == null ? null : fileName.replaceFirst("(\\.[A-Za-z0-9]+)+$", "");
        UploadReader reader = new UploadReader(new UploadReader.Options(format, mapping, settings.maxRecordChars(),
                settings.maxDecompressedBytes(), taskName));
        // the upload is parsed from this local copy: reading it back from the object store would hold
        // an HTTP response open for the whole parse (servers close idle-looking streams) and cost a download
        long phase = System.nanoTime();
        Spooled local = spool(body);
        phase = recordPhase("receive", phase);
        Path quarantineFile = null;
        Path dedupFile = null;
        CompletableFuture<String> stored = null;
        try {
            String rawKey = store.rawKey(local.sha256());
            String batchId = "upload-" + Sha256.hex((dataset + ":" + local.sha256()).getBytes(StandardCharsets.UTF_8))
                    .substring(0, 24);
            Completion incomplete = completions.get(batchId);
            if (incomplete != null) {
                LOG.infof("upload %s of %s is batch %s, committed but not yet complete: completing it", fileName,
                        dataset, batchId);
                metrics.repeated(dataset);
                return complete(incomplete, settings.completionWait());
            }
            Optional<IngestBatch> done = batch(dataset, batchId);
            if (done.isPresent()) {
                LOG.infof("upload %s of %s is batch %s, already committed: nothing sent again", fileName, dataset, batchId);
                metrics.repeated(dataset);
                return done.get();
            }

            // the raw upload is stored while it is parsed; the transaction commits only once it is stored
            stored = CompletableFuture.supplyAsync(() -> {
                long storeStarted = System.nanoTime();
                String key = store.storeRaw(local.file());
                recordPhase("store", storeStarted);
                return key;
            }, rawUploads);
            DedupIndex index = indexes.index(dataset);
            int committedSize = index.size();
            boolean committed = false;
            quarantineFile = Files.createTempFile("tuneloop-quarantine-", ".jsonl");
            Admission.Tally tally = new Admission.Tally();
            IngestBatch batch;
            try (IngestPorts.Transaction transaction = batches.begin(actor);
                 ParseAhead parsed = new ParseAhead(reader, Files.newInputStream(local.file()), admission::candidate,
                         batchId);
                 OutputStream quarantine = new BufferedOutputStream(Files.newOutputStream(quarantineFile), 1 << 16)) {
                UploadReader.Summary summary = parsed.forEach(item -> {
                    if (item instanceof ParseAhead.Rejected rejected) {
                        tally.reject(rejected.rejection());
                        writeLine(quarantine, rejected.rejection());
                        return;
                    }
                    Admission.Candidate candidate = ((ParseAhead.Prepared) item).candidate();
                    long sequence = tally.accepted();
                    Admission.Verdict verdict = admission.admit(index, candidate);
                    tally.count(verdict);
                    if (verdict.rejection() != null) {
                        writeLine(quarantine, verdict.rejection());
                    }
                    if (verdict.outcome() == Admission.Outcome.ACCEPTED) {
                        transaction.send(toRawRecord(candidate.record(), candidate.recordId(), dataset, batchId,
                                sequence, rawKey, fileName));
                    }
                });
                quarantine.flush();
                phase = recordPhase("parse", phase);

                String quarantineKey = null;
                if (Files.size(quarantineFile) > 0) {
                    quarantineKey = store.storeQuarantine(dataset, batchId, quarantineFile);
                }
                String raw = awaitStored(stored);
                LOG.infof("upload %s of %s: %d bytes stored at %s", fileName, dataset, local.size(), raw);
                String sourceFormat = summary.format().name().toLowerCase() + (summary.gzip() ? "+gzip" : "");
                batch = new IngestBatch(batchId, dataset, raw, fileName, sourceFormat, summary.records(),
                        tally.accepted(), tally.rejected(), tally.duplicates(), quarantineKey, clock.instant(),
                        tally.byReason(), null, actor == null ? null : actor.principal());
                transaction.commit(batch); // records and summary become visible together
                committed = true;
                phase = recordPhase("commit", phase);
            } finally {
                if (!committed) {
                    indexes.forget(dataset); // it holds records of this upload: reload the committed ones
                }
            }
            metrics.upload(dataset, local.size());
            metrics.records(tally);
            LOG.infof("batch %s of %s committed: %d accepted, %d duplicates, %d rejected", batchId, dataset,
                    tally.accepted(), tally.duplicates(), tally.rejected());
            // The records are visible now: a retry must complete this batch, never send them again
            // (nor announce it again as all duplicates of itself).
            try {
                dedupFile = Files.createTempFile("tuneloop-dedup-", ".bin");
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dedupFile), 1 << 16)) {
                    index.writeTo(out, committedSize);
                }
            } catch (IOException | RuntimeException e) {
                // without its entries the batch cannot be completed: forget it, so that the retry sends
                // it whole again (the formatter keeps one copy of each record of a batch)
                indexes.forget(dataset);
                throw e;
            }
            Completion completion = new Completion(batch, dedupFile);
            completions.put(batchId, completion);
            dedupFile = null; // the completion owns it now
            complete(completion, settings.completionWait());
            recordPhase("index", phase);
            return batch;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot process upload " + fileName + " of " + dataset, e);
        } finally {
            if (stored != null) {
                stored.handle((address, error) -> null).join(); // the upload reads the local file
            }
            deleteQuietly(local.file());
            deleteQuietly(quarantineFile);
            deleteQuietly(dedupFile);
        }
    }

    /** Times one phase of an upload (store, parse, commit, index) and returns the time it ended. */
    private long recordPhase(String name, long startedNanos) {
        long now = System.nanoTime();
        metrics.phase(name, now - startedNanos);
        return now;
    }

    /**
     * Batches this process committed but could not complete yet: their entries are in local files
     * until their summary is stored. Each is read under its own lock, so one completed meanwhile has
     * its summary stored by the time the summaries are listed, and is not read twice.
     */
    private final class UnstoredCompletions implements IngestPorts.Unstored {
        private final ThreadLocal<Set<String>> read = ThreadLocal.withInitial(HashSet::new);

        @Override
        public void addTo(String dataset, DedupIndex index) throws IOException {
            Set<String> ids = read.get();
            ids.clear();
            for (Completion completion : List.copyOf(completions.values())) {
                if (!completion.batch().dataset().equals(dataset)) {
                    continue;
                }
                synchronized (completion) {
                    if (completions.containsKey(completion.batch().batchId())) {
                        try (InputStream in = Files.newInputStream(completion.dedupEntries())) {
                            index.readFrom(in);
                        }
                        ids.add(completion.batch().batchId());
                    }
                }
            }
        }

        @Override
        public Set<String> batchIds(String dataset) {
            return Set.copyOf(read.get());
        }
    }

    /**
     * Makes a committed batch durable in the store: its dedup entries (for later uploads to dedupe
     * against), then its summary, which marks it complete. Waits out a store outage for at most
     * {@code wait}, then answers 503 with what to do; the batch stays pending and is completed by the
     * upload's retry or in the background, and its records are never sent again.
     */
    private IngestBatch complete(Completion completion, Duration wait) {
        IngestBatch batch = completion.batch();
        synchronized (completion) {
            if (!completions.containsKey(batch.batchId())) {
                return batch; // completed meanwhile
            }
            try {
                retrier.within("complete batch: " + batch.batchId(), wait, () -> {
                    store.complete(batch, completion.dedupEntries());
                    return null;
                });
            } catch (RuntimeException e) {
                if (Faults.isTransient(e)) {
                    throw new Faults.TransientFault("batch " + batch.batchId() + " of " + batch.dataset() + ": its "
                            + batch.recordsAccepted() + " records are committed, but its summary could not be stored"
                            + " (object store unavailable: " + e.getMessage() + "). Send the same upload again to"
                            + " complete it; nothing is sent twice", e);
                }
                throw e;
            }
            completions.remove(batch.batchId());
            deleteQuietly(completion.dedupEntries());
            LOG.infof("batch %s of %s complete: summary and dedup entries stored", batch.batchId(), batch.dataset());
            return batch;
        }
    }

    /**
     * Completes, in the background, batches whose upload got a 503 and was not retried (yet). Only
     * while this process lives: after a restart, the client's retry sends the batch again (see
     * docs/architecture.md, "Faults"); {@code tuneloop_ingest_batches_incomplete} and the
     * {@code IngestBatchesIncomplete} alert show batches waiting here.
     */
    void completePending() {
        for (Completion completion : List.copyOf(completions.values())) {
            try {
                complete(completion, Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.warnf("batch %s of %s still incomplete: %s", completion.batch().batchId(),
                        completion.batch().dataset(), e.getMessage());
            }
        }
    }

    /** An upload received into a local file, with its content hash. */
    private record Spooled(Path file, String sha256, long size) {
    }

    private static Spooled spool(InputStream body) {
        Path local = null;
        try {
            local = Files.createTempFile("tuneloop-upload-", ".bin");
            MessageDigest digest = Sha256.digest();
            long size;
            try (InputStream in = new DigestInputStream(body, digest)) {
                size = Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
            }
            return new Spooled(local, Sha256.hex(digest), size);
        } catch (IOException e) {
            deleteQuietly(local);
            throw new UncheckedIOException("cannot receive the upload", e);
        }
    }

    private static String awaitStored(CompletableFuture<String> stored) {
        try {
            return stored.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Stops the background work (the store of raw uploads, the completer). */
    public void stop() {
        rawUploads.shutdown();
        completer.shutdownNow();
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file left behind is harmless
        }
    }

    /** The summary of a committed batch, if it was committed (and completed, or is being completed by this process). */
    public Optional<IngestBatch> batch(String dataset, String batchId) {
        Completion incomplete = completions.get(batchId);
        if (incomplete != null && incomplete.batch().dataset().equals(dataset)) {
            return Optional.of(incomplete.batch());
        }
        return store.batch(dataset, batchId);
    }

    /** Datasets that have received at least one committed upload. */
    public List<String> datasets() {
        return store.datasets().stream().sorted().toList();
    }

    public static RawRecord toRawRecord(ParsedRecord parsed, String recordId, String dataset, String batchId, long sequence,
                                 String sourceKey, String file) {
        return new RawRecord(recordId, dataset, batchId, sequence, parsed.format().id(), parsed.task(),
                parsed.category(), parsed.language(), parsed.instruction(), parsed.input(), parsed.output(),
                parsed.messages(), parsed.isClassification(),
                new Provenance(dataset, batchId, sourceKey, file, parsed.line()), parsed.attributes(), parsed.tools(),
                parsed.preference());
    }

    private void writeLine(OutputStream out, Rejection rejection) {
        metrics.rejection(rejection.kind());
        try {
            JsonLines.write(out, rejection);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the quarantine file", e);
        }
    }
}
