package io.tuneloop.trainer.store;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.PreferenceExample;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.store.Artifact;
import io.tuneloop.store.ArtifactCommit;
import io.tuneloop.store.ArtifactFolder;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.LocalCopies;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.flow.RunStore;
import io.tuneloop.trainer.flow.TrainingData;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The trainer's side of the object store: base models and checkpoints copied to a local work
 * directory (the model library reads files), checkpoints uploaded "manifest last", dataset versions
 * read as training data. A checkpoint without its manifest is never read.
 */
@ApplicationScoped
public class RunArtifacts implements RunStore {
    private static final Artifact<String, RunSpec> SPECS = Artifacts.RUN_SPEC.as(RunSpec.class);

    private final ArtifactStore store;
    private final Path work;
    private final LocalCopies copies;

    public RunArtifacts(ArtifactStore store,
                        @ConfigProperty(name = "tuneloop.trainer.work-dir") java.util.Optional<String> workDir) {
        this.store = store;
        // (a ${java.io.tmpdir} default in the annotation is not expanded: it made a literal folder)
        this.work = Path.of(workDir.orElse(System.getProperty("java.io.tmpdir") + "/tuneloop-trainer"));
        this.copies = new LocalCopies(store, work);
    }

    public ArtifactStore store() {
        return store;
    }

    @Override
    public Optional<RunSpec> spec(String runId) {
        return SPECS.find(store, runId);
    }

    @Override
    public boolean createSpec(RunSpec spec) {
        if (SPECS.exists(store, spec.runId())) {
            return false;
        }
        SPECS.write(store, spec.runId(), spec);
        return true;
    }

    @Override
    public void deleteSpec(String runId) {
        SPECS.delete(store, runId);
    }

    @Override
    public List<String> runIds() {
        return Artifacts.RUN.list(store);
    }

    @Override
    public boolean cancelled(String runId) {
        return Artifacts.RUN_CANCELLED.exists(store, runId);
    }

    @Override
    public void setCancelled(String runId, String principal) {
        if (principal != null) {
            Artifacts.RUN_CANCELLED.write(store, runId, principal.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } else {
            Artifacts.RUN_CANCELLED.delete(store, runId);
        }
    }

    @Override
    public List<StepRecord> steps(String runId, int shard) {
        return StepsFile.read(Artifacts.CHECKPOINT_STEPS.read(store, new Artifacts.CheckpointRef(runId, shard)));
    }

    @Override
    public Optional<ModelConfig> modelConfig(String model) {
        try {
            return Artifacts.MODEL_CONFIG.find(store, model).map(ModelConfig::fromJson);
        } catch (io.tuneloop.events.MalformedEventException | IllegalArgumentException e) {
            throw new IllegalArgumentException("base model " + model + " has an unreadable config.json: " + e.getMessage(), e);
        }
    }

    @Override
    public String checkpointPrefix(String runId, int shard) {
        return Artifacts.CHECKPOINT.prefix(new Artifacts.CheckpointRef(runId, shard));
    }

    @Override
    public String checkpointManifestKey(String runId, int shard) {
        return Artifacts.CHECKPOINT_MANIFEST.key(new Artifacts.CheckpointRef(runId, shard));
    }

    @Override
    public String specKey(String runId) {
        return SPECS.key(runId);
    }

    @Override
    public String modelPrefix(String model) {
        return Artifacts.MODEL.prefix(model);
    }

    /** Whether the run's final artifacts are written (their manifest is). */
    @Override
    public boolean finalWritten(String runId) {
        return Artifacts.RUN_FINAL_MANIFEST.exists(store, runId);
    }

    public boolean modelExists(String model) {
        return Artifacts.MODEL_CONFIG.exists(store, model);
    }

    /** The base model's files in a local directory (copied once; model prefixes are immutable). */
    public Path baseModel(String model) {
        return copies.of(Artifacts.MODEL, model);
    }

    /**
     * The model a run starts from, in a local directory: the base, or the merged final model of the
     * run it starts from (copied once: a final folder is complete once its manifest exists).
     */
    public Path startingModel(RunSpec spec) {
        if (spec.initFrom() == null) {
            return baseModel(spec.baseModel());
        }
        if (!finalWritten(spec.initFrom())) {
            throw new IllegalStateException("run " + spec.initFrom() + " has no final model to start " + spec.runId()
                    + " from");
        }
        return copies.of(Artifacts.RUN_FINAL, spec.initFrom()).resolve("merged");
    }

    @Override
    public Optional<Artifacts.CheckpointManifest> checkpoint(String runId, int shardIndex) {
        return Artifacts.CHECKPOINT_MANIFEST.find(store, new Artifacts.CheckpointRef(runId, shardIndex));
    }

    /** A sealed checkpoint's files in a local directory; fails when its manifest does not exist. */
    public Path checkpointFiles(String runId, int shardIndex) {
        Artifacts.CheckpointRef checkpoint = new Artifacts.CheckpointRef(runId, shardIndex);
        if (!Artifacts.CHECKPOINT_MANIFEST.exists(store, checkpoint)) {
            throw new IllegalStateException("checkpoint " + Artifacts.CHECKPOINT.prefix(checkpoint)
                    + " has no manifest: it was never completed");
        }
        return copies.of(Artifacts.CHECKPOINT, checkpoint);
    }

    /** A fresh local directory for a shard's output. */
    public Path outputDirectory(String runId, String name) {
        Path dir = work.resolve("out").resolve(runId).resolve(name);
        deleteRecursively(dir);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Uploads every file of {@code local} into {@code folder}, then the manifest built from their
     * checksums; returns the manifest.
     */
    public <A, M> M upload(Path local, ArtifactFolder<A> folder, A address,
                           java.util.function.Function<List<ArtifactCommit.PartInfo>, M> manifest) {
        ArtifactCommit commit = folder.commit(store, address);
        try (Stream<Path> files = Files.walk(local)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    commit.put(local.relativize(file).toString().replace('\\', '/'), in, "application/octet-stream");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload " + local, e);
        }
        M sealed = manifest.apply(commit.parts());
        commit.seal(Artifacts.MANIFEST, EventJson.toBytes(sealed));
        return sealed;
    }

    @Override
    public Optional<DatasetManifest> datasetManifest(String dataset, int version) {
        return Artifacts.DATASET_MANIFEST.find(store, new Artifacts.Version(dataset, version));
    }

    /**
     * The version's train and validation examples (objective sft) or its preference pairs (objective
     * dpo), in manifest order (the same list for every shard).
     */
    public TrainingData trainingData(DatasetManifest manifest, RunSpec spec) {
        TrainingData data = new TrainingData();
        Artifacts.Version version = new Artifacts.Version(manifest.dataset(), manifest.version());
        for (DatasetManifest.ShardEntry shard : manifest.shards()) {
            Artifacts.VersionFile file = new Artifacts.VersionFile(version, shard.name());
            if (spec.preference() && shard.split().equals(Splits.PREFERENCES)) {
                Artifacts.PREFERENCE_SHARD.<PreferenceExample>forEach(store, file, pair -> data.add(pair, spec.maxSeqLength()));
            } else if (!spec.preference() && (shard.split().equals(Splits.TRAIN) || shard.split().equals(Splits.VALIDATION))) {
                Artifacts.DATASET_SHARD.<InstructionRecord>forEach(store, file, record -> data.add(record, spec.maxSeqLength()));
            }
        }
        return data;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }
}
