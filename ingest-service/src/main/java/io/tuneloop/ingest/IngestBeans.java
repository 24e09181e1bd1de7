package io.tuneloop.ingest;

import io.tuneloop.ingest.config.IngestConfig;
import io.tuneloop.ingest.flow.Admission;
import io.tuneloop.ingest.store.DatasetIndexes;
import io.tuneloop.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The plain-Java parts of ingest, made from its configuration (singletons: plain classes need no proxy). */
@ApplicationScoped
public class IngestBeans {
    @Produces
    @Singleton
    public static Admission admission(IngestConfig config) {
        return new Admission(new Admission.Policy(config.filter().minChars(), config.filter().maxChars(),
                config.filter().languages(), config.dedup().nearDuplicateThreshold(), config.dedup().permutations(),
                config.dedup().bands()));
    }

    @Produces
    @Singleton
    public static DatasetIndexes datasetIndexes(ArtifactStore store, Admission admission) {
        return new DatasetIndexes(store, admission);
    }
}
