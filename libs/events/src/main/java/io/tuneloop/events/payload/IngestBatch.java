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
 * @param streamRange      for a batch of streamed input: the input it was made of (null for uploads)
 * @param principal        who uploaded or imported it (the token's user); null for streamed input
 */
public record IngestBatch(String batchId, String dataset, String sourceKey, String sourceName,
                          String sourceFormat, long recordsRead, long recordsAccepted, long recordsRejected,
                          long recordsDuplicate, String quarantineKey, Instant completedAt,
                          java.util.Map<String, Long> rejectedByReason, StreamRange streamRange, String principal) {
    /**
     * Ids of batches of streamed input start with this. Their records are sent outside a transaction;
     * a batch's id derives from the position of its first input message, so input redelivered after a
     * crash makes the same batch again, and its records are sent again under the same id.
     */
    public static final String STREAM_BATCH_PREFIX = "stream-";

    /**
     * The raw-input messages a stream batch was made of: the dataset's messages in one partition from
     * {@code firstOffset} to {@code lastOffset}, both included.
     */
    public record StreamRange(int partition, long firstOffset, long lastOffset) {
        public StreamRange {
            Require.nonNegative(partition, "partition");
            Require.nonNegative(firstOffset, "firstOffset");
            if (lastOffset < firstOffset) {
                throw new InvalidPayloadException("lastOffset " + lastOffset + " is before firstOffset " + firstOffset);
            }
        }

        /** The id of the stream batch whose first input message is at {@code offset} of {@code partition}. */
        public static String batchId(int partition, long offset) {
            return STREAM_BATCH_PREFIX + "p" + partition + "-" + offset;
        }
    }

    public IngestBatch(String batchId, String dataset, String sourceKey, String sourceName, String sourceFormat,
                       long recordsRead, long recordsAccepted, long recordsRejected, long recordsDuplicate,
                       String quarantineKey, Instant completedAt, java.util.Map<String, Long> rejectedByReason,
                       StreamRange streamRange) {
        this(batchId, dataset, sourceKey, sourceName, sourceFormat, recordsRead, recordsAccepted, recordsRejected,
                recordsDuplicate, quarantineKey, completedAt, rejectedByReason, streamRange, null);
    }

    public IngestBatch(String batchId, String dataset, String sourceKey, String sourceName, String sourceFormat,
                       long recordsRead, long recordsAccepted, long recordsRejected, long recordsDuplicate,
                       String quarantineKey, Instant completedAt, java.util.Map<String, Long> rejectedByReason) {
        this(batchId, dataset, sourceKey, sourceName, sourceFormat, recordsRead, recordsAccepted, recordsRejected,
                recordsDuplicate, quarantineKey, completedAt, rejectedByReason, null);
    }

    public IngestBatch(String batchId, String dataset, String sourceKey, String sourceName, String sourceFormat,
                       long recordsRead, long recordsAccepted, long recordsRejected, long recordsDuplicate,
                       String quarantineKey, Instant completedAt) {
        this(batchId, dataset, sourceKey, sourceName, sourceFormat, recordsRead, recordsAccepted, recordsRejected,
                recordsDuplicate, quarantineKey, completedAt, java.util.Map.of());
    }

    public IngestBatch {
        rejectedByReason = rejectedByReason == null ? java.util.Map.of() : java.util.Map.copyOf(rejectedByReason);
        Require.texts("batchId", batchId, "dataset", dataset);
        Require.nonNegatives("recordsRead", recordsRead, "recordsAccepted", recordsAccepted,
                "recordsRejected", recordsRejected, "recordsDuplicate", recordsDuplicate);
        Require.present(completedAt, "completedAt");
    }
}
