package io.tuneloop.events.payload;

import java.time.Instant;

/**
 * The summary of one ingest batch. Sent after every accepted record of the batch has been sent,
 * so a consumer that has seen {@code recordsAccepted} distinct records of the batch has it whole.
 *
 * @param batchId          unique id of the batch
 * @param dataset          dataset name
 * @param sourceKey        object-store key of the stored raw upload (null for streamed input)
 * @param sourceName       file name or URI the user gave
 * @param sourceFormat     detected or declared format
 * @param recordsRead      records parsed from the source
 * @param recordsAccepted  records emitted on raw-records
 * @param recordsRejected  records quarantined with a reason
 * @param recordsDuplicate records dropped as duplicates
 * @param quarantineKey    object-store key of the rejected records and reasons (null if none)
 * @param completedAt      when the batch finished
 * @param rejectedByReason rejected and near-duplicate records counted by kind of reason (optional)
 */
public record IngestBatch(String batchId, String dataset, String sourceKey, String sourceName,
                          String sourceFormat, long recordsRead, long recordsAccepted, long recordsRejected,
                          long recordsDuplicate, String quarantineKey, Instant completedAt,
                          java.util.Map<String, Long> rejectedByReason) {
    /**
     * Ids of batches of streamed input start with this. Their records are sent outside a transaction,
     * so records of a stream batch whose ingest died before announcing it stay without a summary (their
     * input is redelivered and sent again under a new batch).
     */
    public static final String STREAM_BATCH_PREFIX = "stream-";

    public IngestBatch(String batchId, String dataset, String sourceKey, String sourceName, String sourceFormat,
                       long recordsRead, long recordsAccepted, long recordsRejected, long recordsDuplicate,
                       String quarantineKey, Instant completedAt) {
        this(batchId, dataset, sourceKey, sourceName, sourceFormat, recordsRead, recordsAccepted, recordsRejected,
                recordsDuplicate, quarantineKey, completedAt, java.util.Map.of());
    }

    public IngestBatch {
        rejectedByReason = rejectedByReason == null ? java.util.Map.of() : java.util.Map.copyOf(rejectedByReason);
        Require.text(batchId, "batchId");
        Require.text(dataset, "dataset");
        Require.nonNegative(recordsRead, "recordsRead");
        Require.nonNegative(recordsAccepted, "recordsAccepted");
        Require.nonNegative(recordsRejected, "recordsRejected");
        Require.nonNegative(recordsDuplicate, "recordsDuplicate");
        Require.present(completedAt, "completedAt");
    }
}
