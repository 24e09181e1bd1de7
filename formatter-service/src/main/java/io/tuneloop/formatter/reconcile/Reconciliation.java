package io.tuneloop.formatter.reconcile;

import io.tuneloop.events.payload.IngestBatch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Records accepted by ingest against records sealed by the formatter, for one dataset, batch by
 * batch: the check that nothing accepted disappeared on the way (dead-lettered, dropped, or sealed
 * short). A batch is {@code SEALED} when a version holds as many of its records as ingest accepted;
 * {@code SEALING} while the formatter holds it (waiting for records, or for the store);
 * {@code SHORT} when a version holds fewer; {@code MISSING} when ingest accepted it and the formatter
 * neither holds nor sealed it.
 *
 * @param difference accepted minus sealed: 0 when every accepted record is sealed
 */
public record Reconciliation(String dataset, long acceptedRecords, long sealedRecords, long difference,
                             Instant oldestUnsealedAt, List<Batch> batches) {

    public enum State { SEALED, SEALING, SHORT, MISSING }

    /** One batch: what ingest accepted, what sealed versions hold, and where it stands. */
    public record Batch(String batchId, long accepted, long sealed, State state, Instant acceptedAt) {
    }

    /** What the formatter holds of a batch right now (records received so far). */
    public record Holding(long records) {
    }

    /**
     * @param accepted  the batches ingest committed (their summaries)
     * @param kept      distinct records the formatter kept per batch
     * @param inVersion batches some sealed version of the dataset holds
     * @param holding   batches the formatter holds in memory, not sealed yet
     */
    public static Reconciliation of(String dataset, Map<String, IngestBatch> accepted, Map<String, Long> kept,
                                    Set<String> inVersion, Map<String, Holding> holding) {
        Set<String> ids = new TreeSet<>(accepted.keySet());
        ids.addAll(holding.keySet());
        kept.keySet().stream().filter(inVersion::contains).forEach(ids::add);
        long acceptedTotal = 0;
        long sealedTotal = 0;
        Instant oldestUnsealed = null;
        List<Batch> batches = new ArrayList<>();
        for (String id : ids) {
            IngestBatch summary = accepted.get(id);
            long sealed = inVersion.contains(id) ? kept.getOrDefault(id, 0L) : 0;
            // a batch sealed without a summary in the store (written before ingest kept them): count it as it was sealed
            long acceptedRecords = summary == null ? sealed : summary.recordsAccepted();
            State state;
            if (sealed > 0 && sealed >= acceptedRecords) {
                state = State.SEALED;
            } else if (holding.containsKey(id)) {
                state = State.SEALING;
            } else if (sealed > 0 || inVersion.contains(id)) {
                state = State.SHORT;
            } else if (acceptedRecords == 0) {
                state = State.SEALED; // an upload of nothing new: nothing to seal
            } else {
                state = State.MISSING;
            }
            Instant at = summary == null ? null : summary.completedAt();
            if (state != State.SEALED && at != null && (oldestUnsealed == null || at.isBefore(oldestUnsealed))) {
                oldestUnsealed = at;
            }
            acceptedTotal += acceptedRecords;
            sealedTotal += Math.min(sealed, acceptedRecords);
            batches.add(new Batch(id, acceptedRecords, sealed, state, at));
        }
        return new Reconciliation(dataset, acceptedTotal, sealedTotal, acceptedTotal - sealedTotal, oldestUnsealed,
                List.copyOf(batches));
    }
}
