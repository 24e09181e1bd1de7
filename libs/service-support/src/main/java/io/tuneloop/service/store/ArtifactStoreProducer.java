package io.tuneloop.service.store;

import io.quarkus.runtime.StartupEvent;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.StoreException;
import io.tuneloop.store.StoreSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** The service's one {@link ArtifactStore}, closed on shutdown. */
@ApplicationScoped
public class ArtifactStoreProducer {
    private static final Logger LOG = Logger.getLogger(ArtifactStoreProducer.class);

    @Produces
    @Singleton
    ArtifactStore artifactStore(StoreConfig config) {
        return ArtifactStore.connect(new StoreSettings(config.endpoint(), config.accessKey(), config.secretKey(),
                config.bucket(), config.region()));
    }

    void close(@Disposes ArtifactStore store) {
        store.close();
    }

    /**
     * Creates the bucket at start. A store that is down does not stop the service from starting:
     * readiness reports it, and the first write retries.
     */
    void ensureBucket(@Observes StartupEvent start, ArtifactStore store, StoreConfig config) {
        if (!config.createBucket()) {
            return;
        }
        try {
            store.ensureBucket();
        } catch (StoreException e) {
            LOG.warnf("object store not ready at start (%s); readiness stays DOWN until it is", e.getMessage());
        }
    }
}
