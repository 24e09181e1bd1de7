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
 * @param contamination   the overlap of the training examples and pairs with the eval suites' prompts, as
 *                        checked when sealing (null in versions sealed before the check existed)
 */
public record DatasetManifest(String dataset, int version, int round, DatasetSpec spec, String templateLibrary,
                              List<String> sourceBatches, long recordCount, Map<String, Long> splitCounts,
                              Map<String, Long> taskCounts, Map<String, Long> templateCounts,
                              Map<String, Long> droppedByReason, Map<String, TokenStats> tokenStats,
                              List<ShardEntry> shards, String contentChecksum, Instant sealedAt,
                              Contamination contamination) {

    public DatasetManifest(String dataset, int version, int round, DatasetSpec spec, String templateLibrary,
                           List<String> sourceBatches, long recordCount, Map<String, Long> splitCounts,
                           Map<String, Long> taskCounts, Map<String, Long> templateCounts,
                           Map<String, Long> droppedByReason, Map<String, TokenStats> tokenStats,
                           List<ShardEntry> shards, String contentChecksum, Instant sealedAt) {
        this(dataset, version, round, spec, templateLibrary, sourceBatches, recordCount, splitCounts, taskCounts,
                templateCounts, droppedByReason, tokenStats, shards, contentChecksum, sealedAt, null);
    }

    /**
     * Train/eval overlap (GPT-3's and lm-evaluation-harness's test): a training text is contaminated
     * when it shares an n-gram of normalised words (lowercase, punctuation and whitespace folded) with
     * an eval prompt; a prompt shorter than n words counts when the text holds all of it, and one of
     * fewer than {@code minWords} words is not checked (it would match ordinary text).
     *
     * @param ngram         n (13)
     * @param minWords      shortest prompt checked
     * @param policy        the spec's contamination policy (drop, refuse, report)
     * @param suites        the suites checked against, as name@sha256-prefix of their prompts
     * @param prompts       prompts checked against
     * @param promptsTooShort prompts under {@code minWords}, not checked
     * @param checked       training examples and pairs checked
     * @param contaminated  of those, how many overlap a prompt
     * @param dropped       of those, how many were left out (policy drop)
     * @param remaining     contaminated examples still in the version (policy report; 0 otherwise)
     * @param bySuite       contaminated examples by the suite of the first prompt they overlap
     */
    public record Contamination(int ngram, int minWords, String policy, List<String> suites, long prompts,
                                long promptsTooShort, long checked, long contaminated, long dropped, long remaining,
                                Map<String, Long> bySuite) {
    }

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
