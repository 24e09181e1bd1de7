package io.tuneloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.testing.LauncherStack;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults of the store and the broker against the real local stack, as an operator meets them: the
 * S3 server SIGKILLed in the middle of a large upload or of its sealing and restarted 8 seconds
 * later, the broker SIGKILLed mid-upload, the S3 server paused (SIGSTOP) for longer than every
 * client's timeout. Clients retry as real clients do (on 503, honouring Retry-After, and on a cut
 * connection). Verdicts are counts: the retried upload reports every record accepted, the dataset's
 * reconciliation (records accepted by ingest against records sealed) shows 0 difference, and
 * exactly one version holds the batch, with every record once. The S3 kill points are spread over
 * the upload and the sealing by fractions of an uninterrupted run measured first, with a seeded
 * jitter; the broker's are events (a transaction open, a batch held).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT {
    private static final Path ROOT = Path.of(System.getProperty("tuneloop.repo.root", "../..")).toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The size of the upload in the outage report this suite answers: 200,000 records, about 80 MB. */
    private static final int RECORDS = 200_000;
    private static final int KILL_RUNS = 5;
    private static final Duration STORE_DOWN_FOR = Duration.ofSeconds(8);
    private static final Duration STREAM_BATCH_AGE = Duration.ofSeconds(20);
    private static LauncherStack stack;
    /** How long an uninterrupted upload took to be answered, and then to be sealed. */
    private static long uploadMillis;
    private static long sealMillis;

    @BeforeAll
    static void up() throws Exception {
        stack = new LauncherStack(ROOT, ROOT.resolve("infra/local-stack/target/fault-it"),
                ROOT.resolve("infra/local-stack/target/local-stack-it-lib"))
                // a stream batch stays open long enough to kill ingest while it holds one
                .with("TUNELOOP_INGEST_STREAM_MAX_AGE", STREAM_BATCH_AGE.toSeconds() + "s");
        LauncherStack.Result up = stack.tuneloop("local", "up");
        assertThat(up.exitCode()).as("./tuneloop local up\n" + up.output()).isZero();
    }

    @AfterAll
    static void down() throws Exception {
        if (stack != null) {
            assertThat(stack.tuneloop("local", "down").exitCode()).isZero();
        }
    }

    @Test
    @Order(1)
    void anUninterruptedLargeUploadIsSealedWholeAndSetsTheKillPoints() throws Exception {
        long started = System.nanoTime();
        Upload upload = Upload.start("fault-control", records(RECORDS, 100));
        JsonNode answer = upload.answer();
        uploadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(answer.path("recordsAccepted").asLong()).isEqualTo(RECORDS);
        awaitSealedWhole("fault-control", answer.path("batchId").asText(), RECORDS);
        sealMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) - uploadMillis;
        System.out.printf("uninterrupted: %d records answered in %d ms, sealed %d ms later%n", RECORDS, uploadMillis,
                sealMillis);
    }

    /**
     * The reported case, at {@value #KILL_RUNS} kill points: two in the upload (0.3 and 0.7 of the way
     * to its answer) and three in its sealing (0.2, 0.5 and 0.8 of the way from the answer to the
     * version), as measured on the uninterrupted run, each moved by a seeded jitter of up to 5%. Each
     * run's upload reports all 200,000 records accepted, and all of them are sealed once.
     */
    @Test
    @Order(2)
    void anObjectStoreKilledDuringAnUploadOrItsSealingLosesNoRecord() throws Exception {
        assertThat(uploadMillis).as("the uninterrupted run went first").isPositive();
        Random jitter = new Random(20261201L);
        double[] intoUpload = {0.3, 0.7};
        double[] intoSealing = {0.2, 0.5, 0.8};
        List<String> phases = new ArrayList<>();
        for (int run = 0; run < KILL_RUNS; run++) {
            String dataset = "s3-kill-" + run;
            double shift = 1 + (jitter.nextDouble() - 0.5) * 0.1;
            long killAt = run < intoUpload.length ? (long) (intoUpload[run] * uploadMillis * shift)
                    : uploadMillis + (long) (intoSealing[run - intoUpload.length] * sealMillis * shift);
            long started = System.nanoTime();
            Upload upload = Upload.start(dataset, records(RECORDS, run));
            sleepUntil(started, killAt);
            String phase = upload.answered() ? "sealing" : "upload";
            stack.killHard("s3");
            Thread.sleep(STORE_DOWN_FOR.toMillis());
            assertThat(stack.tuneloop("local", "up", "s3").exitCode()).isZero();

            JsonNode answer = upload.answer();
            System.out.printf("run %d: S3 killed %d ms in (%s), upload answered after %d attempt(s)%n", run, killAt,
                    phase, upload.attempts());
            phases.add(phase);
            assertThat(answer.path("recordsAccepted").asLong()).as(dataset + ": the retry completes the first attempt")
                    .isEqualTo(RECORDS);
            awaitSealedWhole(dataset, answer.path("batchId").asText(), RECORDS);
        }
        assertThat(phases).as("the kills hit the upload and the sealing").contains("upload", "sealing");
    }

    /**
     * The broker SIGKILLed at two points: while the upload's transaction is open (its first records
     * visible to a read_uncommitted reader), and right after the upload was answered, while the
     * formatter holds the batch.
     */
    @Test
    @Order(3)
    void aBrokerKilledDuringAnUploadOrItsSealingLosesNoRecord() throws Exception {
        int records = RECORDS / 4;
        for (int run = 0; run < 2; run++) {
            String dataset = "kafka-kill-" + run;
            Upload upload = Upload.start(dataset, records(records, 10 + run));
            if (run == 0) {
                awaitUncommittedRecordOf(dataset);
            } else {
                upload.answer();
            }
            String phase = upload.answered() ? "sealing" : "upload";
            stack.killHard("kafka");
            Thread.sleep(3_000);
            assertThat(stack.tuneloop("local", "up", "kafka").exitCode()).isZero();
            JsonNode answer = upload.answer();
            System.out.printf("broker run %d: killed in the %s, upload answered after %d attempt(s)%n", run, phase,
                    upload.attempts());
            assertThat(answer.path("recordsAccepted").asLong()).isEqualTo(records);
            awaitSealedWhole(dataset, answer.path("batchId").asText(), records);
        }
    }

    /**
     * The store stops answering without closing connections (SIGSTOP) for longer than the clients'
     * read timeouts: readiness goes DOWN while it lasts, and after SIGCONT the upload completes and
     * is sealed whole.
     */
    @Test
    @Order(4)
    void aStorePausedLongerThanTheClientTimeoutsLosesNoRecord() throws Exception {
        int records = RECORDS / 4;
        Upload upload = Upload.start("s3-paused", records(records, 20));
        // paused once the transaction is open: the raw upload's put, or the summary's after the commit,
        // hangs on the paused server until the client's 30 s timeout, and the attempt is answered 503
        awaitUncommittedRecordOf("s3-paused");
        String s3 = stack.pid("s3");
        signal("STOP", s3);
        AtomicBoolean sawNotReady = new AtomicBoolean();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(40); // the store client times out after 30 s
            while (System.nanoTime() < until) {
                if (status("formatter", "/q/health/ready") == 503 && status("ingest", "/q/health/ready") == 503) {
                    sawNotReady.set(true);
                }
                Thread.sleep(1_000);
            }
        } finally {
            signal("CONT", s3);
        }
        assertThat(sawNotReady).as("readiness DOWN while the store hangs").isTrue();
        JsonNode answer = upload.answer();
        System.out.printf("paused store: upload answered after %d attempt(s)%n", upload.attempts());
        assertThat(upload.attempts()).as("the hung attempt was answered 503 and retried").isGreaterThan(1);
        assertThat(answer.path("recordsAccepted").asLong()).isEqualTo(records);
        awaitSealedWhole("s3-paused", answer.path("batchId").asText(), records);
        await().atMost(Duration.ofMinutes(1)).until(() -> status("formatter", "/q/health/ready") == 200);
    }

    /**
     * A round request naming a version that does not exist yet is dead-lettered with its reason;
     * once the version exists, an admin re-drives the dead-letter topic and the round is sealed, once.
     */
    @Test
    @Order(5)
    void aDeadLetteredRequestIsRedrivenAfterTheFixAndSealedOnce() throws Exception {
        String dataset = "redrive";
        String dlq = Topics.ROUND_REQUESTS.deadLetterTopic(io.tuneloop.events.Service.FORMATTER);
        RoundRequest request = new RoundRequest("redrive-round-1", dataset, 1, 2, null, 0, null, 0, null,
                "fault suite", Instant.now());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.ROUND_REQUESTS.name(), dataset, EventJson.toBytes(request))).get();
        }
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
                waitingIn(dlq) == 1);

        // the fix: versions 1 and 2 of the dataset come into being
        for (int batch = 0; batch < 2; batch++) {
            assertThat(Upload.start(dataset, records(50, 30 + batch)).answer().path("recordsAccepted").asLong()).isEqualTo(50);
            int expected = batch + 1;
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    JSON.readTree(stack.get("formatter", "/api/v1/datasets/" + dataset + "/versions").body()).size() == expected);
        }
        HttpResponse<String> redriven = stack.send(HttpRequest.newBuilder(stack.url("formatter",
                "/api/v1/admin/dead-letters/" + dlq + "/redrive")).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(redriven.statusCode()).as(redriven.body()).isEqualTo(200);
        assertThat(JSON.readTree(redriven.body()).path("redriven").asLong()).isEqualTo(1);

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode versions = JSON.readTree(stack.get("formatter", "/api/v1/datasets/" + dataset + "/versions").body());
            assertThat(versions).hasSize(3);
            assertThat(versions.get(2).path("round").asInt()).isEqualTo(1);
            assertThat(versions.get(2).path("recordCount").asLong()).isEqualTo(100);
        });
        assertThat(waitingIn(dlq)).as("nothing left to re-drive").isZero();
        HttpResponse<String> again = stack.send(HttpRequest.newBuilder(stack.url("formatter",
                "/api/v1/admin/dead-letters/" + dlq + "/redrive")).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(JSON.readTree(again.body()).path("redriven").asLong()).as("a second call re-drives nothing").isZero();
        Thread.sleep(3_000);
        assertThat(JSON.readTree(stack.get("formatter", "/api/v1/datasets/" + dataset + "/versions").body())).hasSize(3);
        assertThat(stack.send(HttpRequest.newBuilder(stack.url("formatter",
                "/api/v1/admin/dead-letters/raw-records/redrive")).POST(HttpRequest.BodyPublishers.noBody()).build())
                .statusCode()).as("only the service's own dead-letter topics").isEqualTo(400);
    }

    /**
     * Ingest is SIGKILLed while it holds an open stream batch whose records it has sent but not
     * announced; its input is redelivered to the restarted ingest, which makes the same batch again
     * under the same id (the position of its first input message): the batch is announced with every
     * record accepted and sealed once, and the reconciliation shows 0 difference.
     */
    @Test
    @Order(6)
    void aStreamBatchRedeliveredAfterAnIngestKillKeepsItsIdAndIsSealedOnce() throws Exception {
        String dataset = "stream-killed";
        int records = 500;
        String[] lines = new String(records(records, 40), StandardCharsets.UTF_8).split("\n");
        java.util.Set<String> sentBatches = new java.util.HashSet<>();
        java.util.Set<String> sentIds = new java.util.HashSet<>();
        try (KafkaConsumer<String, byte[]> rawRecords = endOf(Topics.RAW_RECORDS.name(), "read_committed");
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka(), ProducerConfig.ACKS_CONFIG, "all"),
                     new StringSerializer(), new ByteArraySerializer())) {
            for (String line : lines) {
                producer.send(new ProducerRecord<>(Topics.RAW_INPUT.name(), dataset, line.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
            long deadline = System.nanoTime() + STREAM_BATCH_AGE.toNanos() * 2 / 3;
            while (sentIds.size() < records && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : rawRecords.poll(Duration.ofMillis(200))) {
                    if (dataset.equals(record.key())) {
                        RawRecord raw = EventJson.fromBytes(record.value(), RawRecord.class);
                        sentBatches.add(raw.batchId());
                        sentIds.add(raw.recordId());
                    }
                }
            }
        }
        assertThat(sentIds).as("every record sent while its batch is open").hasSize(records);
        assertThat(sentBatches).hasSize(1);
        String batchId = sentBatches.iterator().next();
        assertThat(waitForAnnouncement(dataset, Duration.ofSeconds(1))).as("not announced before the kill").isEmpty();
        stack.killHard("ingest");
        assertThat(stack.tuneloop("local", "up", "ingest").exitCode()).isZero();

        IngestBatch announced = waitForAnnouncement(dataset, STREAM_BATCH_AGE.multipliedBy(4)).orElseThrow(() ->
                new AssertionError("the redelivered stream batch was not announced"));
        assertThat(announced.batchId()).isEqualTo(batchId);
        assertThat(announced.recordsAccepted()).isEqualTo(records);
        assertThat(announced.recordsDuplicate()).isZero();
        awaitSealedWhole(dataset, batchId, records);
    }

    // ------------------------------------------------------------------------------------ helpers

    /** A consumer of {@code topic} from its end (records from now on). */
    private static KafkaConsumer<String, byte[]> endOf(String topic, String isolationLevel) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
        var partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, before anything is sent
        return consumer;
    }

    /** The first batch summary of {@code dataset} on ingest-batches, read from the start, within {@code wait}. */
    private static java.util.Optional<IngestBatch> waitForAnnouncement(String dataset, Duration wait) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(Topics.INGEST_BATCHES.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + wait.toNanos();
            do {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (dataset.equals(record.key())) {
                        return java.util.Optional.of(EventJson.fromBytes(record.value(), IngestBatch.class));
                    }
                }
            } while (System.nanoTime() < deadline);
        }
        return java.util.Optional.empty();
    }

    /** An upload sent by a client that retries as real clients do, in the background. */
    private static final class Upload {
        private final CompletableFuture<JsonNode> answer;
        private final AtomicInteger attempts = new AtomicInteger();

        private Upload(String dataset, byte[] body) {
            this.answer = CompletableFuture.supplyAsync(() -> send(dataset, body));
        }

        static Upload start(String dataset, byte[] body) {
            return new Upload(dataset, body);
        }

        private JsonNode send(String dataset, byte[] body) {
            HttpRequest request = HttpRequest.newBuilder(stack.url("ingest", "/api/v1/datasets/" + dataset
                            + "/uploads?filename=fault.jsonl")).timeout(Duration.ofMinutes(3))
                    .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
            while (true) {
                attempts.incrementAndGet();
                long waitMillis = 2_000;
                try {
                    HttpResponse<String> response = stack.send(request);
                    if (response.statusCode() == 202) {
                        return JSON.readTree(response.body());
                    }
                    assertThat(response.statusCode()).as("only a retryable refusal: " + response.body()).isEqualTo(503);
                    waitMillis = 1_000L * Integer.parseInt(response.headers().firstValue("Retry-After").orElseThrow());
                } catch (IOException e) {
                    // cut off or refused: retry
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the upload to " + dataset + " was not accepted in 6 minutes");
                }
                try {
                    Thread.sleep(waitMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }

        boolean answered() {
            return answer.isDone();
        }

        JsonNode answer() throws Exception {
            return answer.get(7, TimeUnit.MINUTES);
        }

        int attempts() {
            return attempts.get();
        }
    }

    /**
     * Every accepted record sealed exactly once: the reconciliation shows 0 difference with all of
     * them accepted and sealed, and exactly one version holds the batch, with that many examples.
     */
    private static void awaitSealedWhole(String dataset, String batchId, long records) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode reconciliation = JSON.readTree(stack.get("formatter", "/api/v1/datasets/" + dataset
                    + "/reconciliation").body());
            assertThat(reconciliation.path("difference").asLong()).as(reconciliation.toString()).isZero();
            assertThat(reconciliation.path("acceptedRecords").asLong()).isEqualTo(records);
            assertThat(reconciliation.path("sealedRecords").asLong()).isEqualTo(records);
        });
        List<JsonNode> holding = new ArrayList<>();
        try {
            for (JsonNode version : JSON.readTree(stack.get("formatter", "/api/v1/datasets/" + dataset + "/versions").body())) {
                for (JsonNode source : version.path("sourceBatches")) {
                    if (source.asText().equals(batchId)) {
                        holding.add(version);
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertThat(holding).as("versions holding " + batchId).hasSize(1);
        assertThat(holding.get(0).path("recordCount").asLong()).isEqualTo(records);
    }

    /** Waits until a record of {@code dataset} is on raw-records, visible to read_uncommitted readers only. */
    private static void awaitUncommittedRecordOf(String dataset) {
        try (KafkaConsumer<String, byte[]> consumer = endOf(Topics.RAW_RECORDS.name(), "read_uncommitted")) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (dataset.equals(record.key())) {
                        return;
                    }
                }
            }
        }
        throw new AssertionError("no record of " + dataset + " reached raw-records in 2 minutes");
    }

    private static long waitingIn(String deadLetterTopic) throws Exception {
        for (JsonNode topic : JSON.readTree(stack.get("formatter", "/api/v1/admin/dead-letters").body())) {
            if (topic.path("deadLetterTopic").asText().equals(deadLetterTopic)) {
                return topic.path("notRedriven").asLong();
            }
        }
        throw new AssertionError(deadLetterTopic + " is not listed");
    }

    private static int status(String service, String path) {
        try {
            return stack.send(HttpRequest.newBuilder(stack.url(service, path)).timeout(Duration.ofSeconds(10)).build())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void signal(String signal, String pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, pid).start().waitFor()).isZero();
    }

    private static void sleepUntil(long startedNanos, long millis) throws InterruptedException {
        long left = millis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        if (left > 0) {
            Thread.sleep(left);
        }
    }

    /** {@code count} distinct records of about 400 bytes (so 200,000 are about 80 MB), different per seed. */
    static byte[] records(int count, int seed) {
        StringBuilder out = new StringBuilder(count * 420);
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            out.append("{\"instruction\": \"Describe item ").append(i).append(" of inventory ").append(seed)
                    .append(".\", \"input\": \"");
            for (int w = 0; w < 70; w++) {
                out.append((char) ('a' + random.nextInt(26))).append((char) ('a' + random.nextInt(26)))
                        .append((char) ('a' + random.nextInt(26))).append((char) ('a' + random.nextInt(26))).append(' ');
            }
            out.append("\", \"output\": \"Item ").append(i).append(" is unique.\"}\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
