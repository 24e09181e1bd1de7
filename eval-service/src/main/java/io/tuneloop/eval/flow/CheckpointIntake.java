package io.tuneloop.eval.flow;

import io.tuneloop.events.payload.Checkpoint;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Takes in checkpoints to evaluate. A checkpoint is accepted only when its manifest exists (a
 * partial checkpoint is never read); one whose report already exists is recognised as evaluated,
 * so a redelivered event does not start the work again (see {@link Evaluations}).
 */
public final class CheckpointIntake {
    private static final Logger LOG = Logger.getLogger(CheckpointIntake.class);

    /** What this instance knows of a checkpoint. */
    public record CheckpointState(Checkpoint checkpoint, String state, String reportKey, java.time.Instant receivedAt) {
    }

    private final EvalStore store;
    private final EvalMetrics metrics;
    private final Clock clock;
    private final Map<String, CheckpointState> checkpoints = new ConcurrentHashMap<>();

    public CheckpointIntake(EvalStore store, EvalMetrics metrics, Clock clock) {
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
    }

    public CheckpointState accept(Checkpoint checkpoint) {
        if (!store.sealed(checkpoint)) {
            throw new IllegalArgumentException("checkpoint " + checkpoint.checkpointId() + " announced, but its manifest "
                    + checkpoint.manifestKey() + " does not exist");
        }
        String state = store.hasReport(checkpoint.checkpointId()) ? "EVALUATED" : "PENDING";
        CheckpointState known = new CheckpointState(checkpoint, state, store.reportKey(checkpoint.checkpointId()),
                clock.instant());
        CheckpointState previous = checkpoints.putIfAbsent(checkpoint.checkpointId(), known);
        if (previous != null) {
            metrics.checkpointRedelivered();
            return previous;
        }
        metrics.checkpointReceived();
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

    public Map<String, CheckpointState> known() {
        return checkpoints;
    }

    public Collection<CheckpointState> checkpoints() {
        return checkpoints.values();
    }
}
