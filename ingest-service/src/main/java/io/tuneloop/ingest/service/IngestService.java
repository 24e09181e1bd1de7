package io.tuneloop.ingest.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.ingest.config.IngestConfig;
import io.tuneloop.ingest.dedup.DedupIndex;
import io.tuneloop.ingest.dedup.MinHasher;
import io.tuneloop.ingest.parse.ColumnMapping;
import io.tuneloop.ingest.parse.InvalidUploadException;
import io.tuneloop.ingest.parse.UploadFormat;
import io.tuneloop.ingest.parse.UploadReader;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.RecordIds;
import io.tuneloop.ingest.parse.Rejection;
import io.tuneloop.store.ArtifactLayout;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.ContentAddress;
import io.tuneloop.store.Sha256;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Ingests one upload: the raw bytes are stored content-addressed before anything is announced,
 * then read back as a stream, validated and deduplicated; accepted records go to raw-records,
 * rejected ones to a quarantine object with their reasons, and the batch summary goes last, all
 * in one Kafka transaction (see {@link TransactionalBatchPublisher}). The same file uploaded twice to
 * the same dataset is the same batch (its id derives from the content): once committed, a retry
 * returns the stored summary and sends nothing.
 */
@ApplicationScoped
public class IngestService {
    private static final Logger LOG = Logger.getLogger(IngestService.class);
    private static final Pattern DATASET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private final ArtifactStore store;
    private final TransactionalBatchPublisher batches;
    private final IngestConfig config;
    private final MinHasher hasher;
    private final java.util.concurrent.ConcurrentHashMap<String, DedupIndex> indexes = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Object> locks = new java.util.concurrent.ConcurrentHashMap<>();
    /** Rejections of the upload in progress on this thread, by kind of reason. */
    private final ThreadLocal<java.util.Map<String, Long>> reasons = ThreadLocal.withInitial(java.util.TreeMap::new);
    private final MeterRegistry meters;

    public IngestService(ArtifactStore store, TransactionalBatchPublisher batches, IngestConfig config,
                         MeterRegistry meters) {
        this.store = store;
        this.batches = batches;
        this.config = config;
        this.hasher = new MinHasher(config.dedup().permutations(), 20261122L);
        this.meters = meters;
    }

    public static void checkDatasetName(String dataset) {
        if (dataset == null || !DATASET_NAME.matcher(dataset).matches()) {
            throw new IllegalArgumentException("dataset name must be 1-63 characters of a-z, 0-9, '.', '_', '-',"
                    + " starting with a letter or digit; was " + dataset);
        }
    }

    public static String quarantineKey(String dataset, String batchId) {
        return ArtifactLayout.quarantine(dataset, batchId);
    }

    public IngestBatch ingestUpload(String dataset, String fileName, InputStream body) {
        return ingestUpload(dataset, fileName, body, null, ColumnMapping.NONE);
    }

    /**
     * @param format  the container format, or null to detect it
     * @param mapping which source fields are instruction, input, output, ... (for data in no known format)
     */
    public IngestBatch ingestUpload(String dataset, String fileName, InputStream body, UploadFormat format,
                                    ColumnMapping mapping) {
        checkDatasetName(dataset);
        // one upload of a dataset at a time: each dedupes against everything committed before it
        long started = System.nanoTime();
        synchronized (locks.computeIfAbsent(dataset, d -> new Object())) {
            reasons.get().clear();
            try {
                return ingestLocked(dataset, fileName, body, format, mapping);
            } finally {
                reasons.remove();
                meters.timer("tuneloop.ingest.upload.duration").record(System.nanoTime() - started,
                        java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        }
    }

    private IngestBatch ingestLocked(String dataset, String fileName, InputStream body, UploadFormat format,
                                     ColumnMapping mapping) {
        String taskName = fileName == null ? null : fileName.replaceFirst("(\\.[A-Za-z0-9]+)+$", "");
        UploadReader reader = new UploadReader(new UploadReader.Options(format, mapping, config.maxRecordChars(),
                config.maxDecompressedBytes(), taskName));
        ContentAddress raw = store.putContentAddressed(ArtifactLayout.rawPrefix(), body, "application/octet-stream");
        String batchId = "upload-" + Sha256.hex((dataset + ":" + raw.sha256()).getBytes(StandardCharsets.UTF_8))
                .substring(0, 24);
        LOG.infof("upload %s of %s: %d bytes stored at %s", fileName, dataset, raw.size(), raw.key());
        Optional<IngestBatch> done = batch(dataset, batchId);
        if (done.isPresent()) {
            LOG.infof("upload %s of %s is batch %s, already committed: nothing sent again", fileName, dataset, batchId);
            meters.counter("tuneloop.ingest.uploads.repeated", "dataset", dataset).increment();
            return done.get();
        }

        Set<String> seen = new HashSet<>();
        DedupIndex index = dedupIndex(dataset);
        DedupIndex staged = newIndex();
        List<DedupIndex.Entry> stagedEntries = new ArrayList<>();
        boolean nearDuplicates = config.dedup().nearDuplicateThreshold() <= 1;
        ByteArrayOutputStream quarantine = new ByteArrayOutputStream();
        long[] counts = new long[3]; // accepted, duplicate, rejected
        UploadReader.Summary summary;
        IngestBatch batch;
        java.nio.file.Path local = copyToTempFile(raw.key());
        try (TransactionalBatchPublisher.Transaction transaction = batches.begin();
             InputStream stored = java.nio.file.Files.newInputStream(local)) {
            summary = readAll(reader, stored, parsed -> {
                String recordId = RecordIds.of(parsed);
                if (!seen.add(recordId) || index.containsId(recordId)) {
                    counts[1]++;
                    return;
                }
                Optional<String> refused = filter(parsed);
                if (refused.isPresent()) {
                    counts[2]++;
                    writeLine(quarantine, Rejection.of(parsed.line(), null, refused.get(), null));
                    return;
                }
                int[] signature = nearDuplicates ? hasher.signature(parsed) : new int[0];
                if (nearDuplicates) {
                    Optional<String> similar = index.nearDuplicateOf(signature).or(() -> staged.nearDuplicateOf(signature));
                    if (similar.isPresent()) {
                        counts[1]++;
                        writeLine(quarantine, Rejection.of(parsed.line(), null, "near-duplicate of record " + similar.get()
                                + " (estimated similarity at least " + config.dedup().nearDuplicateThreshold() + ")", null));
                        return;
                    }
                }
                DedupIndex.Entry entry = new DedupIndex.Entry(recordId, signature);
                staged.add(entry);
                stagedEntries.add(entry);
                transaction.send(toRawRecord(parsed, recordId, dataset, batchId, counts[0]++, raw.key(), fileName));
            }, rejection -> {
                counts[2]++;
                writeLine(quarantine, rejection);
            }, counts);

            String quarantineKey = null;
            if (quarantine.size() > 0) {
                quarantineKey = quarantineKey(dataset, batchId);
                store.putBytes(quarantineKey, quarantine.toByteArray(), "application/x-ndjson");
            }
            String sourceFormat = summary.format().name().toLowerCase() + (summary.gzip() ? "+gzip" : "");
            batch = new IngestBatch(batchId, dataset, raw.key(), fileName, sourceFormat, summary.records(),
                    counts[0], counts[2], counts[1], quarantineKey, Instant.now(), reasons.get());
            transaction.commit(batch); // records and summary become visible together
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back upload " + raw.key(), e);
        } finally {
            deleteQuietly(local);
        }
        store.putBytes(ArtifactLayout.ingestBatch(dataset, batchId), EventJson.toBytes(batch), "application/json");
        saveDedupEntries(dataset, batchId, stagedEntries, index);
        meters.counter("tuneloop.ingest.uploads", "dataset", dataset).increment();
        meters.counter("tuneloop.ingest.bytes").increment(raw.size());
        meters.counter("tuneloop.ingest.records", "outcome", "accepted").increment(counts[0]);
        meters.counter("tuneloop.ingest.records", "outcome", "duplicate").increment(counts[1]);
        meters.counter("tuneloop.ingest.records", "outcome", "rejected").increment(counts[2]);
        LOG.infof("batch %s of %s: %d accepted, %d duplicates, %d rejected", batchId, dataset, counts[0], counts[1],
                counts[2]);
        return batch;
    }

    /**
     * Reads the whole upload. A decompression cap hit after some records were read ends the read
     * with a rejection (those records are announced with their batch); hit before any, the upload
     * is refused.
     */
    private static UploadReader.Summary readAll(UploadReader reader, InputStream stored,
                                                java.util.function.Consumer<ParsedRecord> accepted,
                                                java.util.function.Consumer<Rejection> rejected, long[] counts)
            throws IOException {
        long[] read = new long[1];
        try {
            return reader.read(stored, record -> {
                read[0]++;
                accepted.accept(record);
            }, rejected);
        } catch (InvalidUploadException e) {
            if (read[0] == 0 && counts[2] == 0) {
                throw e;
            }
            rejected.accept(Rejection.of(0, null, e.getMessage() + "; the rest of the file was not read", null));
            return new UploadReader.Summary(UploadFormat.JSONL, false, read[0], counts[2]);
        }
    }

    private Optional<String> filter(ParsedRecord record) {
        long chars = record.messages() != null
                ? record.messages().stream().mapToLong(m -> m.content().length()).sum()
                : record.instruction().length() + (record.input() == null ? 0 : record.input().length()) + record.output().length();
        if (chars < config.filter().minChars()) {
            return Optional.of("record is " + chars + " characters, under the minimum of " + config.filter().minChars());
        }
        if (chars > config.filter().maxChars()) {
            return Optional.of("record is " + chars + " characters, over the maximum of " + config.filter().maxChars());
        }
        if (record.language() != null && config.filter().languages().isPresent()
                && !config.filter().languages().get().contains(record.language())) {
            return Optional.of("language " + record.language() + " is not among the allowed " + config.filter().languages().get());
        }
        return Optional.empty();
    }

    private DedupIndex newIndex() {
        return new DedupIndex(config.dedup().permutations(), config.dedup().bands(),
                Math.min(1.0, config.dedup().nearDuplicateThreshold()));
    }

    /** The dataset's dedup index, loaded from the object store on first use. */
    private DedupIndex dedupIndex(String dataset) {
        return indexes.computeIfAbsent(dataset, d -> {
            DedupIndex index = newIndex();
            for (var object : store.list(ArtifactLayout.ingestPrefix() + d + "/dedup/")) {
                try (InputStream in = store.get(object.key())) {
                    DedupIndex.read(in).forEach(index::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read dedup entries " + object.key(), e);
                }
            }
            return index;
        });
    }

    /** Records the accepted ids (and signatures) of a committed batch, for later uploads to dedupe against. */
    private void saveDedupEntries(String dataset, String batchId, List<DedupIndex.Entry> all, DedupIndex index) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            DedupIndex.write(all, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store.putBytes(ArtifactLayout.ingestPrefix() + dataset + "/dedup/" + batchId + ".bin", out.toByteArray(),
                "application/octet-stream");
        all.forEach(index::add);
    }

    /**
     * Parsing is much slower than downloading: reading the stored upload straight from the object
     * store would hold an HTTP response open for the whole parse, and servers close idle-looking
     * streams. So the stored bytes are first copied to a local temporary file.
     */
    private java.nio.file.Path copyToTempFile(String key) {
        try {
            java.nio.file.Path local = java.nio.file.Files.createTempFile("tuneloop-upload-", ".bin");
            try (InputStream in = store.get(key)) {
                java.nio.file.Files.copy(in, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return local;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back upload " + key, e);
        }
    }

    private static void deleteQuietly(java.nio.file.Path file) {
        try {
            java.nio.file.Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file left behind is harmless
        }
    }

    /** The summary of a committed batch, if it was committed. */
    public Optional<IngestBatch> batch(String dataset, String batchId) {
        String key = ArtifactLayout.ingestBatch(dataset, batchId);
        return store.exists(key) ? Optional.of(EventJson.fromBytes(store.getBytes(key), IngestBatch.class)) : Optional.empty();
    }

    /** Datasets that have received at least one committed upload. */
    public java.util.List<String> datasets() {
        return store.listPrefixes(ArtifactLayout.ingestPrefix()).stream()
                .map(p -> p.substring(ArtifactLayout.ingestPrefix().length(), p.length() - 1)).sorted().toList();
    }

    public static RawRecord toRawRecord(ParsedRecord parsed, String recordId, String dataset, String batchId, long sequence,
                                 String sourceKey, String file) {
        return new RawRecord(recordId, dataset, batchId, sequence, parsed.format().id(), parsed.task(),
                parsed.category(), parsed.language(), parsed.instruction(), parsed.input(), parsed.output(),
                parsed.messages(), parsed.isClassification(),
                new Provenance(dataset, batchId, sourceKey, file, parsed.line()), parsed.attributes());
    }

    private void writeLine(ByteArrayOutputStream out, Rejection rejection) {
        reasons.get().merge(rejection.kind(), 1L, Long::sum);
        meters.counter("tuneloop.ingest.rejections", "reason", rejection.kind()).increment();
        out.writeBytes(EventJson.toBytes(rejection));
        out.write('\n');
    }
}
