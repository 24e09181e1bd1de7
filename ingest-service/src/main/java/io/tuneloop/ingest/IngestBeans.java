package io.tuneloop.ingest;

import io.tuneloop.service.auth.HourlyAllowance;

import io.tuneloop.ingest.config.IngestConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.ingest.flow.Admission;
import io.tuneloop.ingest.flow.IngestPorts;
import io.tuneloop.ingest.flow.Ingestion;
import io.tuneloop.ingest.messaging.TransactionalBatchPublisher;
import io.tuneloop.ingest.metrics.IngestMeters;
import io.tuneloop.ingest.store.UploadArtifacts;
import io.tuneloop.service.resilience.Retrier;
import jakarta.enterprise.inject.Disposes;
import io.tuneloop.ingest.store.DatasetIndexes;
import io.tuneloop.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

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

    /** Uploads and imports per caller per hour. */
    @Produces
    @Singleton
    HourlyAllowance uploadAllowance(IngestConfig config) {
        return new HourlyAllowance(config.limits().uploadsPerHour(), config.limits().uploadBytesPerHour().asLongValue(),
                java.time.Duration.ofHours(1), Clock.systemUTC());
    }

    @Produces
    @Singleton
    IngestMeters meters(MeterRegistry meters) {
        return new IngestMeters(meters);
    }

    @Produces
    @Singleton
    Ingestion ingestion(UploadArtifacts store, TransactionalBatchPublisher transactions, DatasetIndexes indexes,
                        IngestMeters meters, Admission admission, IngestConfig config, Retrier retrier) {
        return newIngestion(store, transactions, indexes, meters, admission, config, retrier);
    }

    /** The ingestion flow (also for benchmarks that run it outside the service). */
    public static Ingestion newIngestion(IngestPorts.UploadStore store, IngestPorts.RecordTransactions transactions,
                                      IngestPorts.AdmissionIndexes indexes, IngestPorts.Metrics meters,
                                      Admission admission, IngestConfig config, Retrier retrier) {
        return new Ingestion(store, transactions, indexes, meters, admission, new Ingestion.Settings(
                config.maxRecordChars(), config.maxDecompressedBytes(), config.completionWait()), retrier,
                Clock.systemUTC());
    }

    void stop(@Disposes Ingestion ingestion) {
        ingestion.stop();
    }
}
