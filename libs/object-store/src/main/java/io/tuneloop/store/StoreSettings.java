package io.tuneloop.store;

import java.util.Objects;

/**
 * Where the artifact store is. The same settings reach MinIO, Ceph RGW, AWS S3 or S3Proxy.
 *
 * @param endpoint  e.g. {@code http://127.0.0.1:9000}
 * @param accessKey access key id
 * @param secretKey secret access key
 * @param bucket    the one bucket tuneloop uses (prefixes separate artifact kinds)
 * @param region    signing region; S3-compatible servers accept {@code us-east-1}
 */
public record StoreSettings(String endpoint, String accessKey, String secretKey, String bucket, String region) {
    public StoreSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(bucket, "bucket");
        region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    @Override
    public String toString() {
        // never print the secret
        return "StoreSettings[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region + "]";
    }
}
