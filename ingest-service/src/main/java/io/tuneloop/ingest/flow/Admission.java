package io.tuneloop.ingest.flow;

import io.tuneloop.ingest.dedup.DedupIndex;
import io.tuneloop.ingest.dedup.MinHasher;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.RecordIds;
import io.tuneloop.ingest.parse.Rejection;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which records a dataset takes: the one policy for uploads, imports and streamed input alike.
 * A record is a duplicate when the dataset already holds its id (exact, after normalisation) or,
 * with near-duplicate detection on, a record whose MinHash estimate of similarity reaches the
 * threshold; it is refused when it is shorter or longer than the filters allow or names a language
 * that is not allowed. Refusals and near-duplicates carry a reason for the quarantine.
 */
public final class Admission {
    private static final int[] NO_SIGNATURE = new int[0];
    /** Fixed: signatures stored in dedup entries compare only under the seed they were made with. */
    private static final long SIGNATURE_SEED = 20261122L;

    /**
     * @param minChars               shortest record (its texts together), in characters
     * @param maxChars               longest record, in characters
     * @param languages              languages kept when a record names one (empty: all)
     * @param nearDuplicateThreshold estimated Jaccard similarity from which a record is a near-duplicate; above 1 disables
     * @param permutations           MinHash signature length
     * @param bands                  LSH bands of the dedup index
     */
    public record Policy(int minChars, int maxChars, Optional<Set<String>> languages, double nearDuplicateThreshold,
                         int permutations, int bands) {
        public boolean nearDuplicates() {
            return nearDuplicateThreshold <= 1;
        }
    }

    /** A parsed record with its id and (near-duplicate detection on) its signature: what admission decides on. */
    public record Candidate(ParsedRecord record, String recordId, int[] signature) {
    }

    public enum Outcome {
        ACCEPTED, DUPLICATE, REJECTED
    }

    /**
     * @param rejection for the quarantine: a refused record's or a near-duplicate's reason (null when
     *                  accepted or an exact duplicate, which needs no explaining)
     */
    public record Verdict(Outcome outcome, Rejection rejection) {
        private static final Verdict ACCEPTED = new Verdict(Outcome.ACCEPTED, null);
        private static final Verdict EXACT_DUPLICATE = new Verdict(Outcome.DUPLICATE, null);
    }

    private final Policy policy;
    private final MinHasher hasher;

    public Admission(Policy policy) {
        this.policy = policy;
        this.hasher = policy.nearDuplicates() ? new MinHasher(policy.permutations(), SIGNATURE_SEED) : null;
    }

    public Policy policy() {
        return policy;
    }

    /** An empty index for a dataset (or for one batch's own entries). */
    public DedupIndex newIndex() {
        return new DedupIndex(policy.permutations(), policy.bands(), Math.min(1.0, policy.nearDuplicateThreshold()));
    }

    /** Depends on the record only: callers compute it ahead, on another thread, while earlier records are admitted. */
    public Candidate candidate(ParsedRecord record) {
        return new Candidate(record, RecordIds.of(record), hasher == null ? NO_SIGNATURE : hasher.signature(record));
    }

    /**
     * Decides on one record against what {@code index} holds (the dataset's records so far, this
     * batch's included) and adds it to the index when it is accepted.
     */
    public Verdict admit(DedupIndex index, Candidate candidate) {
        if (index.containsId(candidate.recordId())) {
            return Verdict.EXACT_DUPLICATE;
        }
        ParsedRecord record = candidate.record();
        Optional<String> refused = refusal(record);
        if (refused.isPresent()) {
            return new Verdict(Outcome.REJECTED, Rejection.of(record.line(), null, refused.get(), null));
        }
        if (hasher != null) {
            Optional<String> similar = index.addUnlessNearDuplicate(candidate.recordId(), candidate.signature());
            if (similar.isPresent()) {
                return new Verdict(Outcome.DUPLICATE, Rejection.of(record.line(), null, "near-duplicate of record "
                        + similar.get() + " (estimated similarity at least " + policy.nearDuplicateThreshold() + ")", null));
            }
        } else {
            index.add(candidate.recordId(), NO_SIGNATURE);
        }
        return Verdict.ACCEPTED;
    }

    private Optional<String> refusal(ParsedRecord record) {
        long chars = record.texts().stream().mapToLong(String::length).sum();
        if (chars < policy.minChars()) {
            return Optional.of("record is " + chars + " characters, under the minimum of " + policy.minChars());
        }
        if (chars > policy.maxChars()) {
            return Optional.of("record is " + chars + " characters, over the maximum of " + policy.maxChars());
        }
        if (record.language() != null && policy.languages().isPresent()
                && !policy.languages().get().contains(record.language())) {
            return Optional.of("language " + record.language() + " is not among the allowed " + policy.languages().get());
        }
        return Optional.empty();
    }

    /** What one batch's admission came to: counts by outcome and rejections by kind of reason. */
    public static final class Tally {
        private long accepted;
        private long duplicates;
        private long rejected;
        private final Map<String, Long> byReason = new TreeMap<>();

        /** Counts a verdict; a rejection that comes before admission (a line that does not parse) goes to {@link #reject}. */
        public void count(Verdict verdict) {
            switch (verdict.outcome()) {
                case ACCEPTED -> accepted++;
                case DUPLICATE -> duplicates++;
                case REJECTED -> rejected++;
            }
            if (verdict.rejection() != null) {
                byReason.merge(verdict.rejection().kind(), 1L, Long::sum);
            }
        }

        /** Adds another tally's counts (a message's, to its batch). */
        public void add(Tally other) {
            accepted += other.accepted;
            duplicates += other.duplicates;
            rejected += other.rejected;
            other.byReason.forEach((kind, count) -> byReason.merge(kind, count, Long::sum));
        }

        public void reject(Rejection rejection) {
            rejected++;
            byReason.merge(rejection.kind(), 1L, Long::sum);
        }

        public long accepted() {
            return accepted;
        }

        public long duplicates() {
            return duplicates;
        }

        public long rejected() {
            return rejected;
        }

        public long total() {
            return accepted + duplicates + rejected;
        }

        public Map<String, Long> byReason() {
            return Map.copyOf(byReason);
        }
    }
}
