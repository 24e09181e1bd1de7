package io.tuneloop.trainer.run;

import io.smallrye.config.ConfigMapping;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.payload.DatasetVersion;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Runs started by events: "train every new version of dataset X with spec Y". A policy is
 * configuration ({@code tuneloop.trainer.policies.<name>.dataset} and {@code .spec}, a run spec in
 * JSON without dataset and version); each matching {@code dataset-versions} event (including the
 * versions sealed from feedback round requests) starts run {@code <name>-<dataset>-v<version>}, once.
 */
@ApplicationScoped
public class RunPolicies {
    private static final Logger LOG = Logger.getLogger(RunPolicies.class);

    @ConfigMapping(prefix = "tuneloop.trainer")
    public interface Config {
        Map<String, Policy> policies();

        interface Policy {
            String dataset();

            String spec();
        }
    }

    private final Config config;
    private final TrainerService trainer;

    public RunPolicies(Config config, TrainerService trainer) {
        this.config = config;
        this.trainer = trainer;
    }

    public void onDatasetVersion(DatasetVersion version) {
        for (var entry : config.policies().entrySet()) {
            if (!entry.getValue().dataset().equals(version.dataset())) {
                continue;
            }
            RunSpec template = EventJson.fromBytes(entry.getValue().spec().getBytes(StandardCharsets.UTF_8), RunSpec.class);
            String runId = (entry.getKey() + "-" + version.dataset() + "-v" + version.version()).toLowerCase();
            RunSpec spec = new RunSpec(runId, template.baseModel(), version.dataset(), version.version(), version.round(),
                    template.mode(), template.lora(), template.epochs(), template.totalSteps(), template.batchSize(),
                    template.gradientAccumulation(), template.maxSeqLength(), template.packing(), template.optimizer(),
                    template.shardSteps(), template.seed(), template.device(), template.evalExamples());
            try {
                trainer.startRun(spec);
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
