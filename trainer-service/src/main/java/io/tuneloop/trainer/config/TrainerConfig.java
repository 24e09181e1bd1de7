package io.tuneloop.trainer.config;

import io.smallrye.config.ConfigMapping;

import java.util.Map;

/**
 * {@code tuneloop.trainer.policies.<name>.dataset} and {@code .spec}: train every new version of a
 * dataset with a spec (a run spec in JSON without dataset and version); {@code .preference-spec}:
 * the DPO run that follows on a version with preference pairs; {@code .continue-rounds}: a feedback
 * round starts from the previous round's final model (default) or from the base; {@code .round-spec}:
 * the SFT run of a round that continues from the previous round's model (typically fewer steps, a
 * lower learning rate and a {@code feedbackShare}); without it such a round runs {@code .spec}.
 */
@ConfigMapping(prefix = "tuneloop.trainer")
public interface TrainerConfig {
    Map<String, Policy> policies();

    /** Runs one caller may have in flight (planned or training) at once; 0: no limit. */
    @io.smallrye.config.WithDefault("4")
    int maxRunsInFlightPerCaller();

    interface Policy {
        String dataset();

        String spec();

        java.util.Optional<String> preferenceSpec();

        java.util.Optional<String> roundSpec();

        @io.smallrye.config.WithDefault("true")
        boolean continueRounds();
    }
}
