package io.tuneloop.events.dataset;


import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * manifest.json of a dataset version, written after all its shards: the version exists when this
 * does. Everything but {@code sealedAt} is a function of the inputs and the spec.
 *
 * @param dataset         dataset name
 * @param version         version number
 * @param round           feedback round (0 = base data)
 * @param spec            how it was built (phrasings, splits, mixing, chat format, tokenizer)
 * @param templateLibrary sha256 of the template library it was rendered with
 * @param sourceBatches   ingest batches and round requests whose records it holds, sorted
 * @param recordCount     examples
 * @param splitCounts     examples per split
 * @param taskCounts      examples per task
 * @param templateCounts  examples per phrasing
 * @param droppedByReason examples dropped, by reason (too long, response truncated, ...)
 * @param tokenStats      token statistics per split (when tokenized)
 * @param shards          the shard files, with checksums
 * @param contentChecksum sha256 over the shards' names and checksums
 * @param sealedAt        when it was sealed
 */
public record DatasetManifest(String dataset, int version, int round, DatasetSpec spec, String templateLibrary,
                              List<String> sourceBatches, long recordCount, Map<String, Long> splitCounts,
                              Map<String, Long> taskCounts, Map<String, Long> templateCounts,
                              Map<String, Long> droppedByReason, Map<String, TokenStats> tokenStats,
                              List<ShardEntry> shards, String contentChecksum, Instant sealedAt) {

    /** One shard file of the version. */
    public record ShardEntry(String name, String split, long records, String sha256, long size) {
    }

    /** Lengths of a split's examples in tokens, and how many tokens are learned. */
    public record TokenStats(long examples, long tokens, long learnedTokens, double mean, int p50, int p95, int max) {
        public static TokenStats of(List<InstructionRecord> records) {
            int[] lengths = records.stream().mapToInt(InstructionRecord::length).sorted().toArray();
            long total = Arrays.stream(lengths).asLongStream().sum();
            long learned = records.stream().mapToLong(InstructionRecord::learnedTokens).sum();
            return new TokenStats(lengths.length, total, learned, lengths.length == 0 ? 0 : (double) total / lengths.length,
                    percentile(lengths, 0.5), percentile(lengths, 0.95), lengths.length == 0 ? 0 : lengths[lengths.length - 1]);
        }

        private static int percentile(int[] sorted, double q) {
            return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
        }
    }

    public boolean contains(String batchId) {
        return sourceBatches.contains(batchId);
    }
}
