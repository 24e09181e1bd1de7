package io.tuneloop.service.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code tuneloop.store.*}: where the artifact store is. Secrets come from the environment. */
@ConfigMapping(prefix = "tuneloop.store")
public interface StoreConfig {
    /** e.g. http://127.0.0.1:9000 */
    String endpoint();

    String accessKey();

    String secretKey();

    @WithDefault("tuneloop")
    String bucket();

    @WithDefault("us-east-1")
    String region();

    /** Create the bucket at start when it is missing (off where the bucket is provisioned elsewhere). */
    @WithDefault("true")
    boolean createBucket();
}
