package io.tuneloop.formatter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** {@code tuneloop.formatter.*} */
@ConfigMapping(prefix = "tuneloop.formatter")
public interface FormatterConfig {
    /** Examples per shard file. */
    @WithDefault("10000")
    int recordsPerShard();

    /** A folder of template families (*.yaml) layered over the built-in library; read at start. */
    Optional<String> templatesDir();

    /** Where model tokenizers fetched from the object store are kept. */
    @WithDefault("${java.io.tmpdir}/tuneloop-formatter-tokenizers")
    String tokenizerCache();
}
