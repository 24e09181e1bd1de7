package io.tuneloop.service.auth;

import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.Artifacts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The owner registry over the service's object store. */
@ApplicationScoped
public class AuthBeans {

    @Produces
    @Singleton
    DatasetOwners datasetOwners(ArtifactStore store) {
        return new DatasetOwners(dataset -> Artifacts.DATASET_OWNER.find(store, dataset),
                (dataset, owner) -> Artifacts.DATASET_OWNER.write(store, dataset, owner), Clock.systemUTC());
    }
}
