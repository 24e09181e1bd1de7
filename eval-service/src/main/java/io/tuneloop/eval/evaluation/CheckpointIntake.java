package io.tuneloop.eval.evaluation;

import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Takes in checkpoints to evaluate. A checkpoint is accepted only when its manifest exists (a
 * partial checkpoint is never read); one whose report already exists is recognised as evaluated,
 * so a redelivered event does not start the work again (see {@link EvalService}).
 */
@ApplicationScoped
public class CheckpointIntake {
    private static final Logger LOG = Logger.getLogger(CheckpointIntake.class);

    /** What this instance knows of a checkpoint. */
    public record CheckpointState(Checkpoint checkpoint, String state, String reportKey, Instant receivedAt) {
    }

    private final ArtifactStore store;
    private final MeterRegistry meters;
    private final Map<String, CheckpointState> checkpoints = new ConcurrentHashMap<>();

    public CheckpointIntake(ArtifactStore store, MeterRegistry meters) {
        this.store = store;
        this.meters = meters;
        meters.gaugeMapSize("tuneloop.eval.checkpoints.known", List.of(), checkpoints);
    }

    public CheckpointState accept(Checkpoint checkpoint) {
        if (!store.exists(checkpoint.manifestKey())) {
            throw new IllegalArgumentException("checkpoint " + checkpoint.checkpointId() + " announced, but its manifest "
                    + checkpoint.manifestKey() + " does not exist");
        }
        Artifacts.CheckpointRef address = Artifacts.CheckpointRef.of(checkpoint.checkpointId());
        String reportKey = Artifacts.EVAL_REPORT.key(address);
        String state = Artifacts.EVAL_REPORT.exists(store, address) ? "EVALUATED" : "PENDING";
        CheckpointState known = new CheckpointState(checkpoint, state, reportKey, Instant.now());
        CheckpointState previous = checkpoints.putIfAbsent(checkpoint.checkpointId(), known);
        if (previous != null) {
            meters.counter("tuneloop.eval.checkpoints.redelivered").increment();
            return previous;
        }
        meters.counter("tuneloop.eval.checkpoints.received").increment();
        LOG.infof("checkpoint %s of run %s (step %d): %s", checkpoint.checkpointId(), checkpoint.runId(),
                checkpoint.step(), state);
        return known;
    }

    /** The checkpoint's report is written. */
    public void evaluated(Checkpoint checkpoint) {
        checkpoints.computeIfPresent(checkpoint.checkpointId(), (id, s) -> new CheckpointState(s.checkpoint(), "EVALUATED",
                s.reportKey(), s.receivedAt()));
    }

    public Optional<CheckpointState> checkpoint(String checkpointId) {
        return Optional.ofNullable(checkpoints.get(checkpointId));
    }

    public Collection<CheckpointState> checkpoints() {
        return checkpoints.values();
    }
}
