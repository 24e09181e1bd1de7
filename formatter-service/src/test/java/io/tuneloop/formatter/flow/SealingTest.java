package io.tuneloop.formatter.flow;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.formatter.dataset.ExampleEncoder;
import io.tuneloop.formatter.template.TemplateLibrary;
import io.tuneloop.model.tokenizer.TextTokenizer;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sealing flow over in-memory ports: no broker, no store. */
class SealingTest {
    private static final TemplateLibrary LIBRARY = TemplateLibrary.load(List.of());

    /** Versions, kept batches and specs in maps; shards kept as the builder made them. */
    static final class MemoryStore implements DatasetStore {
        final Map<String, DatasetSpec> specs = new HashMap<>();
        final Map<String, TreeMap<String, List<RawRecord>>> raw = new HashMap<>();
        final Map<String, List<DatasetManifest>> versions = new HashMap<>();
        final Map<String, List<InstructionRecord>> examples = new HashMap<>();
        final Map<String, List<io.tuneloop.events.dataset.PreferenceExample>> pairs = new HashMap<>();
        final Map<String, List<RawRecord>> rounds = new HashMap<>();

        @Override
        public List<DatasetManifest> versions(String dataset) {
            return versions.getOrDefault(dataset, List.of());
        }

        @Override
        public Optional<DatasetManifest> manifest(String dataset, int version) {
            return versions(dataset).stream().filter(m -> m.version() == version).findFirst();
        }

        @Override
        public Optional<DatasetManifest> versionContaining(String dataset, String sourceId) {
            return versions(dataset).stream().filter(m -> m.contains(sourceId)).findFirst();
        }

        @Override
        public DatasetSpec spec(String dataset) {
            return specs.getOrDefault(dataset, DatasetSpec.defaults());
        }

        @Override
        public void saveSpec(String dataset, DatasetSpec spec) {
            specs.put(dataset, spec);
        }

        @Override
        public void saveRawBatch(String dataset, String batchId, List<RawRecord> records) {
            raw.computeIfAbsent(dataset, d -> new TreeMap<>()).put(batchId,
                    records.stream().sorted(Comparator.comparing(RawRecord::recordId)).toList());
        }

        @Override
        public List<String> rawBatches(String dataset) {
            return List.copyOf(raw.getOrDefault(dataset, new TreeMap<>()).keySet());
        }

        @Override
        public List<RawRecord> rawRecords(String dataset, String batchId) {
            return raw.get(dataset).get(batchId);
        }

        @Override
        public DatasetManifest seal(String dataset, int round, DatasetSpec spec, String templateLibrary,
                                    List<String> sourceBatches, DatasetBuilder.Built built) {
            int version = versions(dataset).size() + 1;
            DatasetManifest manifest = new DatasetManifest(dataset, version, round, spec, templateLibrary,
                    sourceBatches.stream().sorted().toList(), built.recordCount(), built.splitCounts(), built.taskCounts(),
                    built.templateCounts(), built.droppedByReason(), built.tokenStats(), built.entries(),
                    built.contentChecksum(), Instant.EPOCH, built.contamination());
            versions.computeIfAbsent(dataset, d -> new ArrayList<>()).add(manifest);
            List<InstructionRecord> all = new ArrayList<>();
            List<io.tuneloop.events.dataset.PreferenceExample> allPairs = new ArrayList<>();
            for (DatasetBuilder.Shard s : built.shards()) {
                if (s.entry().split().equals(io.tuneloop.events.dataset.Splits.PREFERENCES)) {
                    allPairs.addAll(io.tuneloop.events.JsonLines.read(s.content(),
                            io.tuneloop.events.dataset.PreferenceExample.class));
                } else {
                    all.addAll(io.tuneloop.events.JsonLines.read(s.content(), InstructionRecord.class));
                }
            }
            examples.put(dataset + "/" + version, all);
            pairs.put(dataset + "/" + version, allPairs);
            return manifest;
        }

        @Override
        public List<DatasetBuilder.Dropped> quarantine(DatasetManifest manifest) {
            return List.of();
        }

        @Override
        public List<InstructionRecord> records(DatasetManifest manifest) {
            return examples.get(manifest.dataset() + "/" + manifest.version());
        }

        @Override
        public List<io.tuneloop.events.dataset.PreferenceExample> preferences(DatasetManifest manifest) {
            return pairs.get(manifest.dataset() + "/" + manifest.version());
        }

        @Override
        public List<RawRecord> roundSamples(String key) {
            return rounds.get(key);
        }

        @Override
        public List<RawRecord> roundPreferences(String key) {
            return rounds.get(key);
        }

        @Override
        public String manifestKey(String dataset, int version) {
            return "datasets/" + dataset + "/v" + version + "/manifest.json";
        }
    }

    final MemoryStore store = new MemoryStore();
    final List<DatasetVersion> announced = new ArrayList<>();
    final Formats formats = new Formats() {
        @Override
        public DatasetBuilder builder(DatasetSpec spec) {
            return new DatasetBuilder(spec, LIBRARY, new ExampleEncoder(spec, null), 50);
        }

        @Override
        public TextTokenizer tokenizer(String model) {
            throw new IllegalArgumentException("no models here");
        }

        @Override
        public String templateDigest() {
            return "digest-of-the-built-in-library";
        }
    };
    final Sealing sealing = new Sealing(store, formats, announced::add, SealMetrics.NONE);

    private static RawRecord raw(String batch, int i) {
        return new RawRecord("%032x".formatted(i * 7919L + 13), "d", batch, i, "alpaca", "task-" + (i % 3), null, "en",
                "Describe item " + i + " in a sentence.", null, "Item " + i + " is fine.", null, false,
                new Provenance("d", batch, "raw/x", "data.jsonl", i + 1), Map.of());
    }

    private static List<RawRecord> batch(String batch, int from, int count) {
        List<RawRecord> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(raw(batch, i));
        }
        return records;
    }

    @Test
    void eachCompleteBatchSealsTheNextVersionFromEveryKeptBatch() {
        DatasetVersion v1 = sealing.sealBatch("d", "b1", batch("b1", 0, 30));
        DatasetVersion v2 = sealing.sealBatch("d", "b2", batch("b2", 30, 20));
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.sourceBatches()).containsExactly("b1", "b2");
        assertThat(v2.recordCount()).isEqualTo(store.manifest("d", 2).orElseThrow().recordCount()).isPositive();
        assertThat(v2.manifestKey()).isEqualTo("datasets/d/v2/manifest.json");
        assertThat(announced).containsExactly(v1, v2);
        assertThat(sealing.isSealed("d", "b1")).isTrue();
        assertThat(sealing.isSealed("d", "b3")).isFalse();
    }

    @Test
    void aBatchSealedBeforeIsAnnouncedAgainNotSealedAgain() {
        DatasetVersion first = sealing.sealBatch("d", "b1", batch("b1", 0, 10));
        DatasetVersion again = sealing.sealBatch("d", "b1", batch("b1", 0, 10)); // redelivered after a crash
        assertThat(store.versions("d")).hasSize(1);
        assertThat(again).isEqualTo(first);
        assertThat(announced).containsExactly(first, first);
    }

    @Test
    void aRebuildWithAnUnchangedSpecAndBatchesReturnsTheVersionItSealed() {
        assertThatThrownBy(() -> sealing.rebuild("d")).hasMessageContaining("no complete batches");
        sealing.sealBatch("d", "b1", batch("b1", 0, 10));
        DatasetVersion rebuilt = sealing.rebuild("d");
        assertThat(rebuilt.version()).isEqualTo(2);
        assertThat(rebuilt.sourceBatches()).anyMatch(s -> s.startsWith("spec:"));
        assertThat(sealing.rebuild("d")).isEqualTo(rebuilt);
        assertThat(store.versions("d")).hasSize(2);
    }

    @Test
    void aRoundIsTheBaseVersionPlusItsFeedbackSamplesSealedOnce() {
        DatasetVersion base = sealing.sealBatch("d", "b1", batch("b1", 0, 10));
        RawRecord feedback = new RawRecord("f".repeat(32), "d", "feedback-round-1", 0, RawRecord.FEEDBACK_FORMAT, "task-0",
                null, null, null, null, null, List.of(new ChatMessage("user", "Prompt exactly as seen", null),
                new ChatMessage("assistant", "The corrected answer", null)), null,
                new Provenance("d", "feedback-round-1", "feedback/d/round-1/sft.jsonl", "sft.jsonl", 1), Map.of());
        store.rounds.put("feedback/d/round-1/sft.jsonl", List.of(feedback));
        RoundRequest request = new RoundRequest("feedback:d:round-1", "d", 1, base.version(),
                "feedback/d/round-1/sft.jsonl", 1, null, 0, null, "test", Instant.EPOCH);

        DatasetVersion round = sealing.sealRound(request);
        assertThat(round.round()).isEqualTo(1);
        assertThat(round.sourceBatches()).contains("b1", "round-request:feedback:d:round-1");
        List<InstructionRecord> examples = store.records(store.manifest("d", round.version()).orElseThrow());
        assertThat(examples).anyMatch(e -> e.text().contains("The corrected answer") && e.split().equals("train"));
        // a feedback sample keeps its own phrasing id, so a run can weigh the samples against the replay
        assertThat(examples).filteredOn(e -> e.templateId().equals(InstructionRecord.FEEDBACK_TEMPLATE))
                .singleElement().satisfies(e -> assertThat(e.recordId()).isEqualTo("f".repeat(32)));
        assertThat(store.manifest("d", round.version()).orElseThrow().templateCounts())
                .containsEntry(InstructionRecord.FEEDBACK_TEMPLATE, 1L);
        assertThat(examples).hasSize(store.records(store.manifest("d", 1).orElseThrow()).size() + 1);
        assertThat(sealing.sealRound(request)).isEqualTo(round);
        assertThat(store.versions("d")).hasSize(2);

        assertThatThrownBy(() -> sealing.sealRound(new RoundRequest("feedback:d:round-9", "d", 9, 7, null, 0, null, 0,
                null, "test", Instant.EPOCH))).hasMessageContaining("d v7, which does not exist");
    }

    @Test
    void aRoundsAgreedPairsJoinTheBaseVersionsPairsInThePreferencesSplit() {
        DatasetVersion base = sealing.sealBatch("d", "b1", batch("b1", 0, 10));
        RawRecord pair = new RawRecord("e".repeat(32), "d", "feedback-round-1", 0, RawRecord.FEEDBACK_FORMAT, "task-0",
                null, null, null, null, null, List.of(new ChatMessage("user", "Prompt exactly as seen", null)), null,
                new Provenance("d", "feedback-round-1", "feedback/d/round-1/preferences.jsonl", "preferences.jsonl", 1),
                Map.of("feedback.ratings", "ann:x@1,bob:x@1"), null, io.tuneloop.events.payload.Preference.pair(
                List.of(new ChatMessage("assistant", "The better answer", null)),
                List.of(new ChatMessage("assistant", "The worse answer", null))));
        store.rounds.put("feedback/d/round-1/preferences.jsonl", List.of(pair));
        DatasetVersion round = sealing.sealRound(new RoundRequest("feedback:d:round-1", "d", 1, base.version(), null, 0,
                "feedback/d/round-1/preferences.jsonl", 1, null, "test", Instant.EPOCH));
        DatasetManifest manifest = store.manifest("d", round.version()).orElseThrow();
        assertThat(round.splitCounts()).containsEntry("preferences", 1L);
        assertThat(store.preferences(manifest)).singleElement().satisfies(p -> {
            assertThat(p.chosen().text()).contains("The better answer");
            assertThat(p.rejected().text()).contains("The worse answer");
        });
        // the pair is no SFT example, and the round's next version keeps it
        assertThat(store.records(manifest)).noneMatch(e -> String.valueOf(e.text()).contains("better answer")
                || String.valueOf(e.text()).contains("worse answer"));
        RawRecord more = new RawRecord("c".repeat(32), "d", "feedback-round-2", 0, RawRecord.FEEDBACK_FORMAT, "task-0",
                null, null, null, null, null, List.of(new ChatMessage("user", "Another prompt", null),
                new ChatMessage("assistant", "Another corrected answer", null)), null,
                new Provenance("d", "feedback-round-2", "feedback/d/round-2/sft.jsonl", "sft.jsonl", 1), Map.of());
        store.rounds.put("feedback/d/round-2/sft.jsonl", List.of(more));
        DatasetVersion next = sealing.sealRound(new RoundRequest("feedback:d:round-2", "d", 2, round.version(),
                "feedback/d/round-2/sft.jsonl", 1, null, 0, null, "test", Instant.EPOCH));
        assertThat(next.splitCounts()).containsEntry("preferences", 1L);
    }
}
