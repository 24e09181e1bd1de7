package io.tuneloop.eval.store;

import io.tuneloop.eval.flow.EvalReport;
import io.tuneloop.eval.flow.EvalStore;
import io.tuneloop.eval.flow.SuiteSelection;
import io.tuneloop.events.MalformedEventException;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.store.Artifact;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.LocalCopies;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Eval's side of the object store: reports (report.md, then report.json), the final checkpoint of
 * each round, the versions' evaluation examples, suite selections and operator suites, and local
 * copies of base models (copied once: a model's folder never changes) and checkpoints.
 */
@ApplicationScoped
public class EvalArtifacts implements EvalStore {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(EvalArtifacts.class);
    private static final Artifact<Artifacts.CheckpointRef, EvalReport> REPORTS = Artifacts.EVAL_REPORT.as(EvalReport.class);
    private static final Artifact<String, SuiteSelection> SELECTIONS = Artifacts.RUN_EVAL_SELECTION.as(SuiteSelection.class);

    private final ArtifactStore store;
    private final Path work;
    private final LocalCopies copies;

    public EvalArtifacts(ArtifactStore store,
                         @ConfigProperty(name = "tuneloop.eval.work-dir") Optional<String> workDir) {
        this.store = store;
        this.work = Path.of(workDir.orElse(System.getProperty("java.io.tmpdir") + "/tuneloop-eval"));
        this.copies = new LocalCopies(store, work);
    }

    @Override
    public boolean sealed(Checkpoint checkpoint) {
        return store.exists(checkpoint.manifestKey());
    }

    private static Optional<Artifacts.CheckpointRef> ref(String checkpointId) {
        try {
            return Optional.of(Artifacts.CheckpointRef.of(checkpointId));
        } catch (IllegalArgumentException notACheckpoint) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<EvalReport> report(String checkpointId) {
        return ref(checkpointId).flatMap(c -> REPORTS.find(store, c));
    }

    @Override
    public boolean hasReport(String checkpointId) {
        return ref(checkpointId).map(c -> REPORTS.exists(store, c)).orElse(false);
    }

    @Override
    public void writeReport(String checkpointId, EvalReport report) {
        Artifacts.CheckpointRef checkpoint = Artifacts.CheckpointRef.of(checkpointId);
        Artifacts.EVAL_REPORT_MARKDOWN.write(store, checkpoint, report.markdown().getBytes(StandardCharsets.UTF_8));
        REPORTS.write(store, checkpoint, report);
    }

    @Override
    public String reportKey(String checkpointId) {
        return REPORTS.key(Artifacts.CheckpointRef.of(checkpointId));
    }

    @Override
    public List<String> evaluated(String runId) {
        return Artifacts.EVAL_CHECKPOINT.list(store, runId).stream().map(Artifacts.CheckpointRef::id).toList();
    }

    @Override
    public Optional<String> finalOfRound(String dataset, int round) {
        return Artifacts.EVAL_ROUND_FINAL.find(store, new Artifacts.Round(dataset, round))
                .map(id -> new String(id, StandardCharsets.UTF_8));
    }

    @Override
    public void markFinalOfRound(String dataset, int round, String checkpointId) {
        Artifacts.EVAL_ROUND_FINAL.write(store, new Artifacts.Round(dataset, round),
                checkpointId.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String baseModelName(Checkpoint checkpoint) {
        return Artifacts.MODEL.address(checkpoint.baseModel()).orElseThrow(() -> new IllegalArgumentException(
                "checkpoint " + checkpoint.checkpointId() + " names base model " + checkpoint.baseModel()
                        + ", which is not a model's folder"));
    }

    @Override
    public DatasetManifest datasetManifest(String dataset, int version) {
        return Artifacts.DATASET_MANIFEST.read(store, new Artifacts.Version(dataset, version));
    }

    @Override
    public List<InstructionRecord> evaluationExamples(DatasetManifest version) {
        List<InstructionRecord> examples = new ArrayList<>();
        Artifacts.Version address = new Artifacts.Version(version.dataset(), version.version());
        for (DatasetManifest.ShardEntry shard : version.shards()) {
            // what eval scores, and the review pool it answers for raters
            if (io.tuneloop.events.dataset.Splits.isEvaluation(shard.split())
                    || shard.split().equals(io.tuneloop.events.dataset.Splits.REVIEW)) {
                Artifacts.DATASET_SHARD.<InstructionRecord>forEach(store, new Artifacts.VersionFile(address, shard.name()),
                        examples::add);
            }
        }
        return examples;
    }

    @Override
    public SuiteSelection selection(String runId) {
        try {
            return SELECTIONS.find(store, runId).orElseGet(SuiteSelection::all);
        } catch (MalformedEventException e) {
            throw new IllegalArgumentException(SELECTIONS.key(runId) + " is not a valid suite selection: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, byte[]> operatorSuites() {
        Map<String, byte[]> suites = new LinkedHashMap<>();
        List<String> strays = Artifacts.EVAL_SUITE.strays(store);
        if (!strays.isEmpty()) {
            LOG.warnf("not prompt suites, ignored (a suite is <name>.jsonl directly under eval/suites/): %s", strays);
        }
        for (String name : Artifacts.EVAL_SUITE.list(store)) {
            suites.put(name, Artifacts.EVAL_SUITE.read(store, name));
        }
        return suites;
    }

    @Override
    public Map<String, byte[]> reviewPoolFiles(String dataset) {
        Map<String, byte[]> files = new java.util.TreeMap<>();
        for (Artifacts.ReviewPoolFile file : Artifacts.REVIEW_POOL.list(store, dataset)) {
            files.put(file.name(), Artifacts.REVIEW_POOL.read(store, file));
        }
        return files;
    }

    /** The base model's files, copied once. */
    public Path baseModel(Checkpoint checkpoint) {
        String name = baseModelName(checkpoint);
        return copies.of(Artifacts.MODEL, name);
    }

    /** The checkpoint's files, copied afresh. */
    public Path checkpointFiles(Checkpoint checkpoint) {
        Artifacts.CheckpointRef ref = Artifacts.CHECKPOINT.address(checkpoint.prefix()).orElseThrow(() ->
                new IllegalArgumentException("checkpoint " + checkpoint.checkpointId() + " is at " + checkpoint.prefix()
                        + ", which is not a checkpoint's folder"));
        return Artifacts.CHECKPOINT.download(store, ref, work.resolve("checkpoints").resolve(checkpoint.checkpointId()));
    }
}
