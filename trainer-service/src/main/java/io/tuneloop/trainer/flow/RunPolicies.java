package io.tuneloop.trainer.flow;

import io.tuneloop.events.payload.DatasetVersion;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Runs started by events: "train every new version of dataset X with spec Y". Each matching
 * dataset version (including the versions sealed from feedback round requests) starts run
 * {@code <name>-<dataset>-v<version>}, once: a redelivered version finds the run started.
 */
public final class RunPolicies {
    private static final Logger LOG = Logger.getLogger(RunPolicies.class);

    /** @param template a run spec without dataset and version */
    public record Policy(String dataset, RunSpec template) {
    }

    private final Map<String, Policy> policies;
    private final Runs runs;

    public RunPolicies(Map<String, Policy> policies, Runs runs) {
        this.policies = Map.copyOf(policies);
        this.runs = runs;
    }

    public void onDatasetVersion(DatasetVersion version) {
        for (var entry : policies.entrySet()) {
            if (!entry.getValue().dataset().equals(version.dataset())) {
                continue;
            }
            RunSpec template = entry.getValue().template();
            String runId = (entry.getKey() + "-" + version.dataset() + "-v" + version.version()).toLowerCase();
            RunSpec spec = template.forVersion(runId, version.dataset(), version.version(), version.round());
            try {
                runs.start(spec);
                LOG.infof("policy %s started run %s on %s v%d", entry.getKey(), runId, version.dataset(), version.version());
            } catch (RunExistsException e) {
                LOG.debugf("policy %s: run %s exists already (a redelivered version event)", entry.getKey(), runId);
            } catch (IllegalArgumentException e) {
                LOG.errorf("policy %s cannot start a run on %s v%d: %s", entry.getKey(), version.dataset(),
                        version.version(), e.getMessage());
            }
        }
    }
}
