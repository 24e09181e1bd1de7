package io.tuneloop.formatter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code tuneloop.formatter.*} */
@ConfigMapping(prefix = "tuneloop.formatter")
public interface FormatterConfig {
    /** Share of records (by content hash) in the validation split. */
    @WithDefault("0.1")
    double validationFraction();

    /** Records per shard file. */
    @WithDefault("10000")
    int recordsPerShard();
}
