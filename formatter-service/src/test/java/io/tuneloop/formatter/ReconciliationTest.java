package io.tuneloop.formatter;

import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.formatter.reconcile.Reconciliation;
import io.tuneloop.formatter.reconcile.Reconciliation.State;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReconciliationTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static IngestBatch accepted(String batchId, long records, int minute) {
        return new IngestBatch(batchId, "d", null, "f.jsonl", "jsonl", records, records, 0, 0, null,
                T0.plusSeconds(60L * minute));
    }

    @Test
    void everyAcceptedRecordSealedIsADifferenceOfZero() {
        Reconciliation r = Reconciliation.of("d", Map.of("a", accepted("a", 200_000, 0), "b", accepted("b", 5, 1)),
                Map.of("a", 200_000L, "b", 5L), Set.of("a", "b"), Map.of());
        assertThat(r.difference()).isZero();
        assertThat(r.acceptedRecords()).isEqualTo(200_005);
        assertThat(r.batches()).extracting(Reconciliation.Batch::state).containsOnly(State.SEALED);
        assertThat(r.oldestUnsealedAt()).isNull();
    }

    @Test
    void aDeadLetteredBatchIsMissingAndCounted() {
        Reconciliation r = Reconciliation.of("d", Map.of("a", accepted("a", 200_000, 0), "b", accepted("b", 5, 3)),
                Map.of("b", 5L), Set.of("b"), Map.of());
        assertThat(r.difference()).isEqualTo(200_000);
        assertThat(r.batches()).filteredOn(b -> b.batchId().equals("a")).singleElement()
                .extracting(Reconciliation.Batch::state).isEqualTo(State.MISSING);
        assertThat(r.oldestUnsealedAt()).isEqualTo(T0);
    }

    @Test
    void aHeldBatchIsSealingAndAShortVersionIsShort() {
        Reconciliation r = Reconciliation.of("d", Map.of("held", accepted("held", 10, 0), "short", accepted("short", 10, 1)),
                Map.of("short", 7L), Set.of("short"), Map.of("held", new Reconciliation.Holding(4)));
        assertThat(r.difference()).isEqualTo(13);
        assertThat(r.batches()).extracting(Reconciliation.Batch::batchId, Reconciliation.Batch::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("held", State.SEALING),
                        org.assertj.core.groups.Tuple.tuple("short", State.SHORT));
    }

    @Test
    void keptButNotYetInAVersionIsNotSealed() {
        Reconciliation r = Reconciliation.of("d", Map.of("a", accepted("a", 3, 0)), Map.of("a", 3L), Set.of(), Map.of());
        assertThat(r.difference()).isEqualTo(3);
        assertThat(r.batches().get(0).state()).isEqualTo(State.MISSING);
    }

    @Test
    void anUploadOfOnlyDuplicatesHasNothingToSeal() {
        Reconciliation r = Reconciliation.of("d", Map.of("dup", accepted("dup", 0, 0)), Map.of(), Set.of(), Map.of());
        assertThat(r.difference()).isZero();
        assertThat(r.batches().get(0).state()).isEqualTo(State.SEALED);
    }
}
