package io.tuneloop.feedback.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** {@code tuneloop.feedback.*} */
@ConfigMapping(prefix = "tuneloop.feedback")
public interface FeedbackConfig {
    /**
     * Bearer token of the admin API (from the environment or a Secret; never in the repository).
     * Without it the admin API is disabled. Per-user JWT roles replace it with the ratings API.
     */
    Optional<String> adminToken();
}
