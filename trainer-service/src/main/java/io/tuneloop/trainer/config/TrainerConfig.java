package io.tuneloop.trainer.config;

import io.smallrye.config.ConfigMapping;

import java.util.Map;

/**
 * {@code tuneloop.trainer.policies.<name>.dataset} and {@code .spec}: train every new version of a
 * dataset with a spec (a run spec in JSON without dataset and version).
 */
@ConfigMapping(prefix = "tuneloop.trainer")
public interface TrainerConfig {
    Map<String, Policy> policies();

    interface Policy {
        String dataset();

        String spec();
    }
}
