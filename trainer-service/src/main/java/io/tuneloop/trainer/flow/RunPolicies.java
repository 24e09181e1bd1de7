package io.tuneloop.trainer.flow;

import io.tuneloop.events.dataset.Splits;
import io.tuneloop.events.payload.DatasetVersion;
import org.jboss.logging.Logger;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Runs started by events: "train every new version of dataset X with spec Y". Each matching
 * dataset version (including the versions sealed from feedback round requests) starts run
 * {@code <name>-<dataset>-v<version>}, once: a redelivered version finds the run started.
 *
 * <p>Rounds build on each other: a version of feedback round r starts from the final model of the
 * policy's last run of round r - 1 (unless the policy restarts from the base every round), and
 * when the policy has a preference spec and the version holds preference pairs, the SFT run is
 * followed by a DPO run {@code <run>-dpo} that starts from the SFT run's final model (its frozen
 * reference). The round's final model is then the DPO run's.
 */
public final class RunPolicies {
    private static final Logger LOG = Logger.getLogger(RunPolicies.class);
    static final String PREFERENCE_SUFFIX = "-dpo";

    /**
     * @param template            a run spec without dataset and version (objective sft)
     * @param preferenceTemplate  the DPO run that follows an SFT run on a version with preference pairs (null: none)
     * @param continueRounds      a round's run starts from the previous round's final model (false: from the base)
     * @param roundTemplate       the SFT run of a round that continues from the previous round's model (null: {@code
     *                            template}); it is what "train on the feedback with a replay" means in steps
     */
    public record Policy(String dataset, RunSpec template, RunSpec preferenceTemplate, boolean continueRounds,
                         RunSpec roundTemplate) {
        public Policy(String dataset, RunSpec template) {
            this(dataset, template, null, true, null);
        }

        public Policy(String dataset, RunSpec template, RunSpec preferenceTemplate, boolean continueRounds) {
            this(dataset, template, preferenceTemplate, continueRounds, null);
        }

        public Policy {
            if (template.preference()) {
                throw new IllegalArgumentException("a policy's spec trains SFT; give the DPO run as its preference spec");
            }
            if (preferenceTemplate != null && !preferenceTemplate.preference()) {
                throw new IllegalArgumentException("a policy's preference spec needs objective dpo");
            }
            if (roundTemplate != null && roundTemplate.preference()) {
                throw new IllegalArgumentException("a policy's round spec trains SFT; give the DPO run as its preference spec");
            }
            if (roundTemplate != null && !continueRounds) {
                throw new IllegalArgumentException("a policy's round spec is for rounds that continue from the previous"
                        + " round's model; with continue-rounds false every round runs the spec");
            }
        }
    }

    private final Map<String, Policy> policies;
    private final Runs runs;

    public RunPolicies(Map<String, Policy> policies, Runs runs) {
        this.policies = Map.copyOf(policies);
        this.runs = runs;
        runs.onSucceeded(this::onRunSucceeded);
    }

    public void onDatasetVersion(DatasetVersion version) {
        for (var entry : policies.entrySet()) {
            Policy policy = entry.getValue();
            if (!policy.dataset().equals(version.dataset())) {
                continue;
            }
            String runId = (prefix(entry.getKey(), version.dataset()) + version.version()).toLowerCase();
            RunSpec spec = policy.template().forVersion(runId, version.dataset(), version.version(), version.round());
            if (policy.continueRounds() && version.round() > 0) {
                Optional<String> previous = previousRoundFinal(entry.getKey(), version.dataset(), version.round() - 1);
                if (previous.isPresent()) {
                    RunSpec template = policy.roundTemplate() == null ? policy.template() : policy.roundTemplate();
                    spec = template.forVersion(runId, version.dataset(), version.version(), version.round())
                            .startingFrom(previous.get());
                } else {
                    LOG.warnf("policy %s: no finished run of %s round %d to continue from; %s starts from the base",
                            entry.getKey(), version.dataset(), version.round() - 1, runId);
                }
            }
            start(entry.getKey(), spec);
        }
    }

    /** An SFT run of a policy finished: its DPO run follows when the version holds preference pairs. */
    void onRunSucceeded(RunSpec finished) {
        for (var entry : policies.entrySet()) {
            Policy policy = entry.getValue();
            if (finished.preference() || policy.preferenceTemplate() == null || !policy.dataset().equals(finished.dataset())
                    || !finished.runId().startsWith(prefix(entry.getKey(), finished.dataset()))) {
                continue;
            }
            long pairs = runs.splitCount(finished.dataset(), finished.datasetVersion(), Splits.PREFERENCES);
            if (pairs == 0) {
                continue;
            }
            RunSpec dpo = policy.preferenceTemplate().forVersion(finished.runId() + PREFERENCE_SUFFIX, finished.dataset(),
                    finished.datasetVersion(), finished.round()).startingFrom(finished.runId());
            LOG.infof("policy %s: %s v%d holds %d preference pairs; DPO run %s follows %s", entry.getKey(),
                    finished.dataset(), finished.datasetVersion(), pairs, dpo.runId(), finished.runId());
            start(entry.getKey(), dpo);
        }
    }

    /**
     * The policy's last finished run of a round: the highest version's run, its DPO run when that
     * finished too.
     */
    Optional<String> previousRoundFinal(String policy, String dataset, int round) {
        String prefix = prefix(policy, dataset);
        return runs.runs().stream()
                .filter(r -> r.spec().runId().startsWith(prefix) && r.spec().round() == round
                        && r.state() == RunPhase.SUCCEEDED)
                .max(Comparator.comparing((RunState r) -> r.spec().datasetVersion())
                        .thenComparing(r -> r.spec().preference()))
                .map(r -> r.spec().runId());
    }

    private static String prefix(String policy, String dataset) {
        return (policy + "-" + dataset + "-v").toLowerCase();
    }

    /** The principal a policy's runs are started by. */
    static String principal(String policy) {
        return "service:trainer/policy:" + policy;
    }

    private void start(String policy, RunSpec spec) {
        try {
            runs.start(spec.startedBy(principal(policy)));
            LOG.infof("policy %s started run %s on %s v%d%s", policy, spec.runId(), spec.dataset(), spec.datasetVersion(),
                    spec.initFrom() == null ? "" : " from " + spec.initFrom() + "'s final model");
        } catch (RunExistsException e) {
            LOG.debugf("policy %s: run %s exists already (a redelivered event)", policy, spec.runId());
        } catch (IllegalArgumentException e) {
            LOG.errorf("policy %s cannot start run %s on %s v%d: %s", policy, spec.runId(), spec.dataset(),
                    spec.datasetVersion(), e.getMessage());
        }
    }
}
