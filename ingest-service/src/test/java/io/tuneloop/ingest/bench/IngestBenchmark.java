package io.tuneloop.ingest.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.ingest.config.IngestConfig;
import io.tuneloop.ingest.parse.ColumnMapping;
import io.tuneloop.ingest.flow.Ingestion;
import io.tuneloop.ingest.messaging.TransactionalBatchPublisher;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.testing.TestStack;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ingest throughput of a JSONL file of N records (~500 bytes each) through the real path (store the
 * upload, parse, dedup, one Kafka transaction), next to a plain Kafka producer sending N records of
 * the same size to the same broker in the same run (the baseline). Not a test.
 *
 * <p>Run: {@code ./mvnw -q -pl ingest-service test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.tuneloop.ingest.bench.IngestBenchmark -Dexec.args=1000000}
 */
public final class IngestBenchmark {
    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        // outside Quarkus nothing sets log levels, and the Kafka client would format TRACE lines per record
        org.jboss.logmanager.LogContext.getLogContext().getLogger("").setLevel(java.util.logging.Level.INFO);
        TestStack stack = TestStack.get();
        byte[] sample = line(0);
        System.out.printf("records: %,d of about %d bytes (%.0f MB)%n", records, sample.length,
                (double) records * sample.length / 1e6);

        // Baseline: a plain producer, the same settings as the ingest path (acks=all, idempotent, lz4)
        try (var admin = stack.kafka().admin()) {
            admin.createTopics(List.of(new NewTopic("bench-baseline", 3, (short) 1))).all().get();
        }
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>("bench-baseline", "bench", line(i)));
            }
            producer.flush();
        }
        double baselineSeconds = (System.nanoTime() - start) / 1e9;
        double baselineRate = records / baselineSeconds;
        System.out.printf("kafka producer baseline: %.1f s, %,.0f records/s, %.1f MB/s%n", baselineSeconds, baselineRate,
                (double) records * sample.length / 1e6 / baselineSeconds);

        try (ArtifactStore store = stack.openStore()) {
            TransactionalBatchPublisher publisher = new TransactionalBatchPublisher(stack.bootstrapServers(), "bench", 1,
                    Duration.ofSeconds(30), Duration.ofMinutes(10));
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            var admission = io.tuneloop.ingest.IngestBeans.admission(config());
            io.tuneloop.ingest.flow.Ingestion ingest = io.tuneloop.ingest.IngestBeans.newIngestion(
                    new io.tuneloop.ingest.store.UploadArtifacts(store), publisher,
                    io.tuneloop.ingest.IngestBeans.datasetIndexes(store, admission),
                    new io.tuneloop.ingest.metrics.IngestMeters(meters), admission, config(),
                    new io.tuneloop.service.resilience.Retrier(new io.tuneloop.service.resilience.Outages(), meters));
            start = System.nanoTime();
            IngestBatch batch = ingest.ingestUpload("bench", "bench.jsonl", generated(records), null, ColumnMapping.NONE,
                    null);
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = batch.recordsAccepted() / seconds;
            System.out.printf("ingest upload: %.1f s, %,d accepted, %,.0f records/s, %.1f MB/s, ratio to baseline %.2f%n",
                    seconds, batch.recordsAccepted(), rate, (double) records * sample.length / 1e6 / seconds,
                    rate / baselineRate);
            for (String phase : List.of("receive", "store", "parse", "commit", "index")) {
                var timer = meters.find("tuneloop.ingest.upload.phase").tag("phase", phase).timer();
                System.out.printf("  phase %-6s %6.1f s%n", phase, timer == null ? 0 : timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) / 1000);
            }
            publisher.close();
        }
        System.exit(0); // the embedded broker's threads
    }

    /** A vocabulary of 5,000 pseudo-words, so records overlap as much as real text does, not more. */
    private static final String[] WORDS = vocabulary(5000);

    private static String[] vocabulary(int size) {
        java.util.Random random = new java.util.Random(42);
        String[] words = new String[size];
        for (int i = 0; i < size; i++) {
            StringBuilder w = new StringBuilder();
            int length = 2 + random.nextInt(8);
            for (int c = 0; c < length; c++) {
                w.append((char) ('a' + random.nextInt(26)));
            }
            words[i] = w.toString();
        }
        return words;
    }

    /** A record of about 500 bytes whose words vary like text does (seeded by its index). */
    private static byte[] line(int i) {
        java.util.Random random = new java.util.Random(i);
        StringBuilder passage = new StringBuilder();
        while (passage.length() < 330) {
            passage.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        return ("{\"instruction\": \"Summarise passage " + i + " in one sentence.\", \"input\": \"" + passage
                + "\", \"output\": \"It is about " + WORDS[random.nextInt(WORDS.length)] + " and "
                + WORDS[random.nextInt(WORDS.length)] + ".\", \"category\": \"summarization\"}\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static InputStream generated(int records) {
        return new InputStream() {
            private int index;
            private byte[] current = line(0);
            private int position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (index >= records) {
                    return -1;
                }
                int n = Math.min(len, current.length - position);
                System.arraycopy(current, position, b, off, n);
                position += n;
                if (position == current.length && ++index < records) {
                    current = line(index);
                    position = 0;
                }
                return n;
            }
        };
    }

    /** The service's defaults. */
    private static IngestConfig config() {
        return new IngestConfig() {
            public Duration completionWait() {
                return Duration.ofSeconds(20);
            }

            public int maxRecordChars() {
                return 1_000_000;
            }

            public long maxDecompressedBytes() {
                return Long.MAX_VALUE;
            }

            public int sendWindow() {
                return 500;
            }

            public Limits limits() {
                return null; // the benchmark drives Ingestion directly, past the REST limits
            }

            @Override
            public String importRoot() {
                return "incoming/";
            }

            @Override
            public Stream stream() {
                return null;
            }

            public Transactions transactions() {
                return null;
            }

            public Dedup dedup() {
                return new Dedup() {
                    public double nearDuplicateThreshold() {
                        return 0.9;
                    }

                    public int permutations() {
                        return 128;
                    }

                    public int bands() {
                        return 16;
                    }
                };
            }

            public Filter filter() {
                return new Filter() {
                    public int minChars() {
                        return 1;
                    }

                    public int maxChars() {
                        return 200_000;
                    }

                    public Optional<Set<String>> languages() {
                        return Optional.empty();
                    }
                };
            }
        };
    }
}
