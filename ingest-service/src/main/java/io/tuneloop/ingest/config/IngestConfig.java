package io.tuneloop.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code tuneloop.ingest.*} */
@ConfigMapping(prefix = "tuneloop.ingest")
public interface IngestConfig {
    /** Longest accepted record (one JSON line), in characters. */
    @WithDefault("1000000")
    int maxRecordChars();

    /** Largest upload once decompressed (a gzip bomb stops here). */
    @WithDefault("8589934592")
    long maxDecompressedBytes();

    /** Raw records in flight to Kafka before waiting for their acknowledgements. */
    @WithDefault("500")
    int sendWindow();

    Stream stream();

    Transactions transactions();

    Dedup dedup();

    Filter filter();

    /**
     * How long an upload whose records are committed waits for the object store to take its summary
     * and dedup entries before answering 503 (Retry-After): the retry, or ingest itself in the
     * background, then completes the batch without sending its records again.
     */
    @WithDefault("20s")
    Duration completionWait();

    /** Deduplication within a dataset, across its uploads. */
    interface Dedup {
        /** Drop records whose estimated Jaccard similarity (word 3-grams) to a kept one is at least this; above 1 disables. */
        @WithDefault("0.9")
        double nearDuplicateThreshold();

        @WithDefault("128")
        int permutations();

        /** LSH bands (rows = permutations / bands): 16 x 8 finds pairs above ~0.8 and rarely proposes pairs below ~0.5. */
        @WithDefault("16")
        int bands();
    }

    /** Which records are kept. */
    interface Filter {
        /** Shortest record (instruction, input and output together), in characters. */
        @WithDefault("1")
        int minChars();

        /** Longest record, in characters. */
        @WithDefault("200000")
        int maxChars();

        /** Languages kept when a record names one (empty: all). */
        java.util.Optional<java.util.Set<String>> languages();
    }

    /** Uploads are published in Kafka transactions (records and summary together). */
    interface Transactions {
        /** Stable per instance: a restarted instance with the same prefix fences its predecessor. */
        @WithDefault("tuneloop-ingest")
        String idPrefix();

        /** Concurrent uploads per instance. */
        @WithDefault("4")
        int producers();

        @WithDefault("30s")
        Duration waitForProducer();

        /** The broker aborts a transaction left open this long (a dead instance's). */
        @WithDefault("5m")
        Duration timeout();
    }

    /** Records streamed in on raw-input are grouped into batches for the formatter. */
    interface Stream {
        /** A stream batch is closed when it has this many records... */
        @WithDefault("1000")
        int maxRecords();

        /** ...or when it has been open this long. */
        @WithDefault("5s")
        Duration maxAge();
    }

    /** What one caller may send (per service instance): the 429 with Retry-After beyond it. */
    Limits limits();

    /** Where imports may read from: {@code <importRoot><team>/...} of the service's bucket. */
    @WithDefault("incoming/")
    String importRoot();

    interface Limits {
        /** Uploads and imported objects per caller per hour (0: no limit). */
        @WithDefault("600")
        long uploadsPerHour();

        /** Bytes uploaded or imported per caller per hour (0: no limit). */
        @WithDefault("20G")
        io.quarkus.runtime.configuration.MemorySize uploadBytesPerHour();
    }
}
