package io.tuneloop.service.store;

import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.StoreException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the object store answers and the bucket exists. */
@Readiness
@ApplicationScoped
public class ObjectStoreHealthCheck implements HealthCheck {
    private final ArtifactStore store;

    public ObjectStoreHealthCheck(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("object-store")
                .withData("endpoint", store.settings().endpoint())
                .withData("bucket", store.bucket());
        try {
            if (store.probeBucket()) {
                return response.up().build();
            }
            return response.down().withData("reason", "bucket missing").build();
        } catch (StoreException e) {
            return response.down().withData("reason", String.valueOf(e.getMessage())).build();
        }
    }
}
