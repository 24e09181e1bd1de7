package io.tuneloop.formatter;

import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;

import java.util.Map;

final class TestRecords {
    private TestRecords() {
    }

    static RawRecord raw(String dataset, String batchId, int i) {
        return new RawRecord("rec-" + batchId + "-" + i, dataset, batchId, i, "alpaca", "task-" + (i % 3), null, "en",
                "Repeat the word " + i + ".", i % 2 == 0 ? "" : "context " + i, "word " + i, null, false,
                new Provenance(dataset, batchId, "raw/x", "data.jsonl", i + 1), Map.of());
    }
}
