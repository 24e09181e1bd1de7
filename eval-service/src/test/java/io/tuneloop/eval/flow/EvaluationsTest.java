package io.tuneloop.eval.flow;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.EvalResult;
import io.tuneloop.events.payload.ReviewItem;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The evaluations flow over in-memory ports: no broker, no store, no model. */
class EvaluationsTest {
    /** Reports and round markers in maps; no operator suites, every suite selected. */
    static final class MemoryStore implements EvalStore {
        final Map<String, EvalReport> reports = new HashMap<>();
        final Map<String, String> finals = new HashMap<>();
        final List<String> sealed = new ArrayList<>();

        @Override
        public boolean sealed(Checkpoint checkpoint) {
            return sealed.contains(checkpoint.checkpointId());
        }

        @Override
        public Optional<EvalReport> report(String checkpointId) {
            return Optional.ofNullable(reports.get(checkpointId));
        }

        @Override
        public boolean hasReport(String checkpointId) {
            return reports.containsKey(checkpointId);
        }

        @Override
        public void writeReport(String checkpointId, EvalReport report) {
            reports.put(checkpointId, report);
        }

        @Override
        public String reportKey(String checkpointId) {
            return "eval/" + checkpointId + "/report.json";
        }

        @Override
        public List<String> evaluated(String runId) {
            return reports.keySet().stream().filter(id -> id.startsWith(runId + "/")).sorted().toList();
        }

        @Override
        public Optional<String> finalOfRound(String dataset, int round) {
            return Optional.ofNullable(finals.get(dataset + "/" + round));
        }

        @Override
        public void markFinalOfRound(String dataset, int round, String checkpointId) {
            finals.put(dataset + "/" + round, checkpointId);
        }

        @Override
        public String baseModelName(Checkpoint checkpoint) {
            return "tiny";
        }

        @Override
        public DatasetManifest datasetManifest(String dataset, int version) {
            // the fake scoring reads nothing from it; the report reads the train/eval overlap it was checked for
            return new DatasetManifest(dataset, version, 0, null, "t", List.of("b"), 0, Map.of(), Map.of(), Map.of(),
                    Map.of(), Map.of(), List.of(), "c", Instant.EPOCH, new DatasetManifest.Contamination(13, 5, "drop",
                    List.of("general@0123456789ab", "ifeval@0123456789ab"), 52, 3, 100, 2, 2, 0, Map.of("general", 2L)));
        }

        @Override
        public List<InstructionRecord> evaluationExamples(DatasetManifest version) {
            return List.of();
        }

        @Override
        public SuiteSelection selection(String runId) {
            return SuiteSelection.all();
        }

        @Override
        public Map<String, byte[]> operatorSuites() {
            return Map.of();
        }

        final Map<String, byte[]> poolFiles = new java.util.TreeMap<>();

        @Override
        public Map<String, byte[]> reviewPoolFiles(String dataset) {
            return poolFiles;
        }
    }

    static final class RecordingEvents implements EvalEvents {
        final List<EvalResult> results = new ArrayList<>();
        final List<ReviewItem> items = new ArrayList<>();

        @Override
        public void result(EvalResult result) {
            results.add(result);
        }

        @Override
        public void reviewItem(ReviewItem item) {
            items.add(item);
        }
    }

    /** The base answers nothing right; a checkpoint of step s gets the first s/100 of 4 prompts right. */
    static final class FakeScoring implements Scoring {
        final List<String> scored = new ArrayList<>();

        @Override
        public SuiteRunner.ModelResults score(Checkpoint checkpoint, boolean base, List<InstructionRecord> examples,
                                              SuiteRunner.PromptSuites suites, SuiteSelection selection,
                                              List<ReviewPool.FilePrompt> reviewPrompts) {
            scored.add(base ? "base" : checkpoint.checkpointId());
            List<SuiteRunner.PromptResult> prompts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                boolean right = !base && i < checkpoint.step() / 100;
                prompts.add(new SuiteRunner.PromptResult("heldout_tasks", "p" + i, i % 2 == 0 ? "colours" : "sums", null,
                        "prompt " + i, right ? "yes" : "no", "yes", Map.of("exact_match", right ? 1.0 : 0.0), i / 10.0));
            }
            return new SuiteRunner.ModelResults(prompts, base ? 2.0 : 1.0, 40, 1.0);
        }
    }

    final MemoryStore store = new MemoryStore();
    final RecordingEvents events = new RecordingEvents();
    final FakeScoring scoring = new FakeScoring();
    final Evaluations evaluations = new Evaluations(store, events, scoring, EvalMetrics.NONE,
            Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), 3);
    final CheckpointIntake intake = new CheckpointIntake(store, EvalMetrics.NONE, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

    private static Checkpoint checkpoint(String runId, int shard, long step, int round, boolean last) {
        String prefix = "runs/" + runId + "/shard-" + shard + "/";
        return new Checkpoint(runId + "/shard-" + shard, runId, shard, step, prefix, prefix + "manifest.json",
                "models/tiny/", "ds", 1, round, 0.5, 0.6, last, Instant.EPOCH);
    }

    @Test
    void aReviewPoolFileThatIsNotAPromptFileIsLeftOutAndCountedTheOthersAreAnswered() {
        store.poolFiles.put("good", "{\"prompt\": \"Which number is the smallest?\\n4 2 9\"}\n".getBytes());
        store.poolFiles.put("misspelt", "{\"promt\": \"Hello\"}\n".getBytes());
        List<String> refused = new ArrayList<>();
        EvalMetrics counting = new EvalMetrics() {
            @Override
            public void evaluated(Checkpoint checkpoint, EvalReport report, long nanos) {
            }

            @Override
            public void baseReused() {
            }

            @Override
            public void checkpointReceived() {
            }

            @Override
            public void checkpointRedelivered() {
            }

            @Override
            public void reviewPoolFileRefused(String dataset) {
                refused.add(dataset);
            }
        };
        Evaluations withPools = new Evaluations(store, events, scoring, counting, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), 3);
        assertThat(withPools.reviewPoolPrompts("ds")).extracting(ReviewPool.FilePrompt::id).containsExactly("good:1");
        assertThat(refused).containsExactly("ds");
    }

    @Test
    void withoutASelectionEverySuiteIsScoredIncludingTheOperatorsPromptFiles() {
        // the formatter keeps every file of eval/suites/ out of training: all of them are scored unless a run selects
        assertThat(SuiteSelection.all().includes("house-style")).isTrue();
        assertThat(SuiteSelection.all().includes("heldout_phrasings")).isTrue();
        SuiteSelection chosen = new SuiteSelection(List.of("heldout_phrasings"), 8);
        assertThat(chosen.includes("house-style")).isFalse();
        assertThat(chosen.includes("heldout_phrasings")).isTrue();
    }

    @Test
    void aCheckpointIsScoredAgainstItsBaseOnceAndAnnouncedWithASampleForReview() {
        Checkpoint first = checkpoint("r", 0, 100, 0, false);
        Checkpoint second = checkpoint("r", 1, 300, 0, true);
        EvalReport report = evaluations.evaluate(first);
        evaluations.evaluate(second);

        assertThat(scoring.scored).containsExactly("base", "r/shard-0", "r/shard-1"); // the base once for the run
        assertThat(report.suites().get("heldout_tasks").get("exact_match").checkpoint()).isEqualTo(0.25);
        // the overlap the checkpoint was scored under, from its dataset version
        assertThat(report.trainEvalOverlap()).isEqualTo(new EvalReport.Overlap(true, "drop", 0L, 2L,
                List.of("general@0123456789ab", "ifeval@0123456789ab"), List.of()));
        assertThat(report.markdown()).contains("Train/eval overlap: 0 training examples or pairs share a 13-gram");
        assertThat(store.reports).containsOnlyKeys("r/shard-0", "r/shard-1");
        assertThat(store.finals).containsEntry("ds/0", "r/shard-1"); // the last checkpoint is the round's final
        assertThat(events.results).extracting(EvalResult::reportKey)
                .containsExactly("eval/r/shard-0/report.json", "eval/r/shard-1/report.json");
        // 3 items a checkpoint: tasks in turn, the least certain first within a task
        assertThat(events.items).hasSize(6);
        assertThat(events.items.subList(0, 3)).extracting(ReviewItem::itemId)
                .containsExactly("r/shard-0/heldout_tasks/p2", "r/shard-0/heldout_tasks/p3", "r/shard-0/heldout_tasks/p0");
        assertThat(evaluations.evaluated("r")).containsExactly("r/shard-0", "r/shard-1");
    }

    @Test
    void aRedeliveredCheckpointIsNotScoredAgainButItsEventsAreSentAgain() {
        Checkpoint checkpoint = checkpoint("r", 0, 200, 0, false);
        evaluations.evaluate(checkpoint);
        evaluations.evaluate(checkpoint);
        assertThat(scoring.scored).containsExactly("base", "r/shard-0");
        assertThat(events.results).hasSize(2);
        assertThat(events.results.get(1)).isEqualTo(events.results.get(0));
        assertThat(events.items.subList(3, 6)).isEqualTo(events.items.subList(0, 3));
    }

    @Test
    void aLaterRoundIsComparedWithThePreviousRoundsFinalCheckpoint() {
        evaluations.evaluate(checkpoint("round0", 0, 100, 0, true));
        EvalReport next = evaluations.evaluate(checkpoint("round1", 0, 300, 1, true));
        assertThat(next.previousRoundCheckpoint()).isEqualTo("round0/shard-0");
        EvalReport.Comparison exact = next.againstPreviousRound().get("heldout_tasks").get("exact_match");
        assertThat(exact.checkpoint()).isEqualTo(0.75);
        assertThat(exact.base()).isEqualTo(0.25);
    }

    @Test
    void theIntakeTakesOnlySealedCheckpointsAndKnowsWhichAreEvaluated() {
        Checkpoint checkpoint = checkpoint("r", 0, 100, 0, false);
        assertThatThrownBy(() -> intake.accept(checkpoint)).hasMessageContaining("does not exist");
        store.sealed.add(checkpoint.checkpointId());
        assertThat(intake.accept(checkpoint).state()).isEqualTo("PENDING");
        evaluations.evaluate(checkpoint);
        intake.evaluated(checkpoint);
        assertThat(intake.checkpoint("r/shard-0").orElseThrow().state()).isEqualTo("EVALUATED");
        assertThat(new CheckpointIntake(store, EvalMetrics.NONE, Clock.systemUTC()).accept(checkpoint).state())
                .as("a restarted intake finds the report").isEqualTo("EVALUATED");
    }
}
