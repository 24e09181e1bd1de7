package io.tuneloop.formatter;

import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.formatter.dataset.PendingBatches;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PendingBatchesTest {

    private static IngestBatch summary(String batchId, long accepted) {
        return new IngestBatch(batchId, "demo", null, "f", "alpaca", accepted, accepted, 0, 0, null, Instant.now());
    }

    @Test
    void aBatchIsCompleteWhenItsSummaryAndAllItsRecordsArrivedInAnyOrder() {
        PendingBatches<String> pending = new PendingBatches<>();
        assertThat(pending.addRecord(TestRecords.raw("demo", "b1", 0), "m0")).isEmpty();
        assertThat(pending.addSummary(summary("b1", 2), "s")).isEmpty();
        var complete = pending.addRecord(TestRecords.raw("demo", "b1", 1), "m1");
        assertThat(complete).hasValueSatisfying(c -> {
            assertThat(c.records()).hasSize(2);
            assertThat(c.deliveries()).containsExactly("m0", "s", "m1");
        });
        assertThat(pending.size()).isZero();
    }

    @Test
    void redeliveredRecordsCountOnceButAreAllAcknowledged() {
        PendingBatches<String> pending = new PendingBatches<>();
        pending.addRecord(TestRecords.raw("demo", "b1", 0), "m0");
        pending.addRecord(TestRecords.raw("demo", "b1", 0), "m0-again");
        assertThat(pending.heldRecords()).isEqualTo(1);
        assertThat(pending.addSummary(summary("b1", 2), "s")).isEmpty();
        var complete = pending.addRecord(TestRecords.raw("demo", "b1", 1), "m1");
        assertThat(complete.orElseThrow().deliveries()).containsExactly("m0", "m0-again", "s", "m1");
    }

    @Test
    void anEmptyBatchIsCompleteAtOnce() {
        assertThat(new PendingBatches<String>().addSummary(summary("b0", 0), "s")).isPresent();
    }

    /** The S3-outage case: the retry of an upload announced the batch again with 0 accepted. */
    @Test
    void aLaterSmallerAnnouncementNeverShrinksWhatTheBatchWaitsFor() {
        PendingBatches<String> pending = new PendingBatches<>();
        pending.addRecord(TestRecords.raw("demo", "b1", 0), "m0");
        assertThat(pending.addSummary(summary("b1", 2), "s-first")).isEmpty();
        assertThat(pending.addSummary(summary("b1", 0), "s-retry")).as("not complete with 1 of 2 records").isEmpty();
        var complete = pending.addRecord(TestRecords.raw("demo", "b1", 1), "m1");
        assertThat(complete.orElseThrow().summary().recordsAccepted()).isEqualTo(2);
        assertThat(complete.orElseThrow().deliveries()).containsExactly("m0", "s-first", "s-retry", "m1");
    }

    @Test
    void idleHeldPartsOfBatchesSealedBeforeAreDroppedForAcknowledgementAndOthersKept() throws Exception {
        PendingBatches<String> pending = new PendingBatches<>();
        pending.addRecord(TestRecords.raw("demo", "sealed-before", 0), "m0");
        pending.addSummary(summary("not-sealed", 3), "s");
        java.util.List<String> asked = new java.util.ArrayList<>();
        var deliveries = pending.dropSealed(0, (batchId, dataset) -> {
            asked.add(batchId + "@" + dataset);
            return batchId.equals("sealed-before");
        });
        assertThat(asked).containsExactly("not-sealed@demo", "sealed-before@demo");
        assertThat(deliveries).containsExactly("m0");
        assertThat(pending.held()).containsOnlyKeys("demo/not-sealed");
        assertThat(pending.dropSealed(java.util.concurrent.TimeUnit.HOURS.toNanos(1), (b, d) -> true))
                .as("recently touched batches are not asked about").isEmpty();
    }

    @Test
    void batchIdsAreUniqueWithinADatasetOnly() {
        PendingBatches<String> pending = new PendingBatches<>();
        pending.addRecord(TestRecords.raw("one", "batch-1", 0), "a");
        assertThat(pending.addSummary(new IngestBatch("batch-1", "two", null, "f", "alpaca", 0, 0, 0, 0, null,
                Instant.now()), "b")).as("another dataset's empty batch-1 is complete on its own").isPresent();
        assertThat(pending.held()).containsOnlyKeys("one/batch-1");
    }
}
