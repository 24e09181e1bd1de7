package io.tuneloop.eval.flow;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.Checkpoint;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the evaluations flow reads and keeps in the object store. */
public interface EvalStore {
    /** Whether the checkpoint's manifest exists (a partial checkpoint is never read). */
    boolean sealed(Checkpoint checkpoint);

    Optional<EvalReport> report(String checkpointId);

    boolean hasReport(String checkpointId);

    /** Writes report.md, then report.json: the JSON marks the evaluation done. */
    void writeReport(String checkpointId, EvalReport report);

    /** The key of a checkpoint's report.json, as events carry it. */
    String reportKey(String checkpointId);

    /** The checkpoints of a run that have a report. */
    List<String> evaluated(String runId);

    /** The checkpoint whose report is the final one of a dataset's round, when one is marked. */
    Optional<String> finalOfRound(String dataset, int round);

    void markFinalOfRound(String dataset, int round, String checkpointId);

    /** The base model's name from the folder a checkpoint names. */
    String baseModelName(Checkpoint checkpoint);

    DatasetManifest datasetManifest(String dataset, int version);

    /** The version's held-out and validation examples (the suites that come from it). */
    List<InstructionRecord> evaluationExamples(DatasetManifest version);

    /** The run's suite selection, or every suite when it has none. */
    SuiteSelection selection(String runId);

    /** Operator-added prompt files by suite name. */
    Map<String, byte[]> operatorSuites();

    /** The dataset's review-pool prompt files ({@code review-pools/<dataset>/}) by name, in name order. */
    Map<String, byte[]> reviewPoolFiles(String dataset);
}
