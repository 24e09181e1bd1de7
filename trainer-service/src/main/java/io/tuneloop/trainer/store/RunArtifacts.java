package io.tuneloop.trainer.store;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.store.ArtifactCommit;
import io.tuneloop.store.ArtifactLayout;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.trainer.training.TrainingData;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
public class RunArtifacts {
    public static final String MANIFEST = ArtifactLayout.MANIFEST;

    /**
     * manifest.json of a checkpoint.
     *
     * @param files the checkpoint's files with checksums, in upload order
     */
    public record CheckpointManifest(String runId, int shardIndex, long step, String mode, String baseModel,
                                     String dataset, int datasetVersion, Double trainLoss, Double validationLoss,
                                     boolean last, List<ArtifactCommit.PartInfo> files, Instant createdAt) {
    }

    private final ArtifactStore store;
    private final Path work;

    public RunArtifacts(ArtifactStore store,
                        @ConfigProperty(name = "tuneloop.trainer.work-dir") java.util.Optional<String> workDir) {
        this.store = store;
        // (a ${java.io.tmpdir} default in the annotation is not expanded: it made a literal folder)
        this.work = Path.of(workDir.orElse(System.getProperty("java.io.tmpdir") + "/tuneloop-trainer"));
    }

    public ArtifactStore store() {
        return store;
    }

    public boolean modelExists(String model) {
        return store.exists(ArtifactLayout.modelPrefix(model) + "config.json");
    }

    /** The base model's files in a local directory (copied once; model prefixes are immutable). */
    public Path baseModel(String model) {
        Path dir = work.resolve("models").resolve(model);
        if (Files.exists(dir.resolve(".complete"))) {
            return dir;
        }
        return download(ArtifactLayout.modelPrefix(model), dir);
    }

    public Optional<CheckpointManifest> checkpoint(String runId, int shardIndex) {
        String key = ArtifactLayout.checkpointPrefix(runId, shardIndex) + MANIFEST;
        return store.exists(key) ? Optional.of(EventJson.fromBytes(store.getBytes(key), CheckpointManifest.class))
                : Optional.empty();
    }

    /** A sealed checkpoint's files in a local directory; fails when its manifest does not exist. */
    public Path checkpointFiles(String runId, int shardIndex) {
        String prefix = ArtifactLayout.checkpointPrefix(runId, shardIndex);
        if (!store.exists(prefix + MANIFEST)) {
            throw new IllegalStateException("checkpoint " + prefix + " has no manifest: it was never completed");
        }
        return download(prefix, work.resolve("runs").resolve(runId).resolve("shard-" + shardIndex));
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

    /** Uploads every file of {@code local} under {@code prefix}, then the manifest built from their checksums. */
    public String upload(Path local, String prefix, java.util.function.Function<List<ArtifactCommit.PartInfo>, Object> manifest) {
        ArtifactCommit commit = store.commit(prefix);
        try (Stream<Path> files = Files.walk(local)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    commit.put(local.relativize(file).toString().replace('\\', '/'), in, "application/octet-stream");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload " + local, e);
        }
        return commit.seal(MANIFEST, EventJson.toBytes(manifest.apply(commit.parts())));
    }

    public Optional<DatasetManifest> datasetManifest(String dataset, int version) {
        String key = ArtifactLayout.datasetManifest(dataset, version);
        return store.exists(key) ? Optional.of(EventJson.fromBytes(store.getBytes(key), DatasetManifest.class))
                : Optional.empty();
    }

    /** The version's train and validation examples, in manifest order (the same list for every shard). */
    public TrainingData trainingData(DatasetManifest manifest, int maxSeqLength) {
        TrainingData data = new TrainingData();
        for (DatasetManifest.ShardEntry shard : manifest.shards()) {
            if (shard.split().equals("train") || shard.split().equals("validation")) {
                data.addShard(store.getBytes(ArtifactLayout.datasetVersionPrefix(manifest.dataset(), manifest.version())
                        + shard.name()), maxSeqLength);
            }
        }
        return data;
    }

    private Path download(String prefix, Path dir) {
        store.download(prefix, dir);
        try {
            Files.writeString(dir.resolve(".complete"), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
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
