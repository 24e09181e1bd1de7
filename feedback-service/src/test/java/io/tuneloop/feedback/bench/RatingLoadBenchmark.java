package io.tuneloop.feedback.bench;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.testing.EmbeddedS3;
import io.tuneloop.testing.TestStack;
import io.tuneloop.tokens.BearerTokens;
import io.tuneloop.tokens.SigningKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
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

import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sustained ratings through the real service: the packaged feedback service (its own JVM, prod
 * profile) against a real broker, with authenticated raters on loopback, each doing what the rater
 * page does: fetch its first item, then rate each item with {@code ?next=true}, whose answer carries
 * the next assignment (one request per rating). Prints ratings/s, p50/p99 latency of the rating POST,
 * the count check "2xx responses == ratings on the topic", and the baseline measured in the same
 * run: the same number of concurrent senders writing rating events straight to Kafka with acks=all.
 *
 * <p>Run from feedback-service after {@code ./mvnw -q -o install -DskipTests}:
 * <pre>
 * ../mvnw -q -o dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.tuneloop.feedback.bench.RatingLoadBenchmark [seconds] [connections]
 * </pre>
 * It warms up for 40 s first (the JIT compiles the request path), then measures for {@code seconds}.
 * <pre>
 * </pre>
 */
public final class RatingLoadBenchmark {
    private static final int RATERS = 512;
    private static final int OVERLAP = 3;
    private static final int WARMUP_SECONDS = 40;
    private static final String BENCH_TEAM = "bench-team";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build the service first: ./mvnw -q -o install -DskipTests (no " + jar + ")");
        }
        TestStack stack = TestStack.get();
        KeyPair keys = SigningKeys.generate();
        BearerTokens tokens = new BearerTokens(keys.getPrivate(), BearerTokens.LOCAL_ISSUER);
        int port = freePort();

        // enough items that no rater runs out: every rating takes one of items * overlap slots
        int items = 60_000;
        try (var store = stack.openStore()) {
            // the items' dataset belongs to the raters' team: raters see only their team's items
            io.tuneloop.store.Artifacts.DATASET_OWNER.write(store, "bench", new io.tuneloop.store.Artifacts.DatasetOwner(
                    "bench", BENCH_TEAM, "benchmark", Instant.now()));
        }
        try (KafkaProducer<String, byte[]> producer = producer(stack.bootstrapServers())) {
            for (int i = 0; i < items; i++) {
                ReviewItem item = new ReviewItem("bench/item-" + i, "bench-run/shard-0", "bench-run", 0, "bench", 1,
                        "general", "task-" + (i % 50), "Prompt number " + i + ": say something useful.",
                        "Response number " + i + ", which is about as useful as it gets.", null, (i % 997) / 997.0,
                        Instant.now());
                producer.send(new ProducerRecord<>(Topics.REVIEW_ITEMS.name(), "bench", EventJson.toBytes(item)));
            }
        }

        Process service = startService(jar, stack, keys, port);
        Vertx vertx = Vertx.vertx();
        try {
            awaitReady(port, items);
            List<String> raterTokens = new ArrayList<>();
            for (int i = 0; i < RATERS; i++) {
                raterTokens.add(tokens.mint("rater-" + i, List.of("rater"), BENCH_TEAM, Duration.ofHours(2)));
            }
            HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(port).setKeepAlive(true).setPipelining(false),
                    new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));

            System.out.printf("feedback service on :%d, %d items, %d raters, overlap %d, %d connections%n",
                    port, items, RATERS, OVERLAP, connections);
            // the JIT is still compiling the request path for the first ~20 s on 2 cores: measure after it
            Load warmup = run(http, raterTokens, connections, WARMUP_SECONDS, 0);
            Load load = run(http, raterTokens, connections, seconds, warmup.ratersUsed());
            long created = warmup.created.get() + load.created.get();
            long onTopic = countRatingsOnTopic(stack.bootstrapServers(), created);

            Baseline baseline = kafkaBaseline(stack.bootstrapServers(), connections, seconds);
            Baseline httpBaseline = httpBaseline(http, connections, seconds);

            long[] latencies = load.latencies();
            double perSecond = load.created.get() / (double) seconds;
            System.out.printf("ratings: %,d created in %d s = %,.0f ratings/s; p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    load.created.get(), seconds, perSecond, pct(latencies, 0.50), pct(latencies, 0.99),
                    pct(latencies, 1.0));
            long[] nexts = load.nextLatencies();
            System.out.printf("queue/next: p50 %.1f ms, p99 %.1f ms; non-2xx responses: %d (%s)%n", pct(nexts, 0.5),
                    pct(nexts, 0.99), load.errors.get(), load.firstError.get());
            System.out.printf("count check: 2xx ratings (warm-up + measured) %,d, distinct ratings on the topic %,d: %s%n",
                    created, onTopic, created == onTopic ? "EQUAL, nothing lost or duplicated" : "MISMATCH");
            System.out.printf("baseline: bare Kafka producer, %d in flight, acks=all: %,.0f records/s, p50 %.1f ms, p99 %.1f ms%n",
                    connections, baseline.perSecond, baseline.p50, baseline.p99);
            System.out.printf("baseline: GET /q/health/live of the same service, same client and connections: %,.0f requests/s,"
                    + " p50 %.1f ms, p99 %.1f ms%n", httpBaseline.perSecond, httpBaseline.p50, httpBaseline.p99);
            System.out.printf("ratio ratings/s : Kafka baseline records/s = %.3f%n", perSecond / baseline.perSecond);
            System.out.printf("ratio ratings/s (one request each) : HTTP baseline requests/s = %.2f%n",
                    perSecond / httpBaseline.perSecond);
            http.close();
            if (created != onTopic) {
                System.exit(1);
            }
        } finally {
            vertx.close();
            service.destroy();
            service.waitFor(20, TimeUnit.SECONDS);
            System.exit(0);
        }
    }

    private static final class Load {
        final AtomicLong created = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>("none");
        final long[] rateNanos = new long[4_000_000];
        final long[] nextNanos = new long[4_000_000];
        final AtomicLong rateCount = new AtomicLong();
        final AtomicLong nextCount = new AtomicLong();
        int ratersUsed;

        long[] latencies() {
            return Arrays.copyOf(rateNanos, (int) Math.min(rateNanos.length, rateCount.get()));
        }

        long[] nextLatencies() {
            return Arrays.copyOf(nextNanos, (int) Math.min(nextNanos.length, nextCount.get()));
        }

        int ratersUsed() {
            return ratersUsed;
        }
    }

    /**
     * {@code connections} closed-loop raters: each one is a rater (token) fetching its next item and
     * rating it, until the time is up; a rater that has nothing left hands over to the next token.
     */
    private static Load run(HttpClient http, List<String> tokens, int connections, int seconds, int firstRater)
            throws InterruptedException {
        Load load = new Load();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong nextRater = new AtomicLong(firstRater);
        CountDownLatch done = new CountDownLatch(connections);
        for (int c = 0; c < connections; c++) {
            loop(http, tokens, (int) (nextRater.getAndIncrement() % tokens.size()), load, stop, nextRater, done);
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        done.await(30, TimeUnit.SECONDS);
        load.ratersUsed = (int) nextRater.get();
        return load;
    }

    private static void loop(HttpClient http, List<String> tokens, int rater, Load load, AtomicBoolean stop,
                             AtomicLong nextRater, CountDownLatch done) {
        loop(http, tokens, rater, null, load, stop, nextRater, done);
    }

    /**
     * One rater: with {@code itemId} null it fetches its next assignment first; otherwise it rates
     * that item with {@code ?next=true}, whose answer carries the following assignment, so a rater
     * in flow makes one request per rating.
     */
    private static void loop(HttpClient http, List<String> tokens, int rater, String itemId, Load load,
                             AtomicBoolean stop, AtomicLong nextRater, CountDownLatch done) {
        if (stop.get()) {
            done.countDown();
            return;
        }
        String token = "Bearer " + tokens.get(rater);
        if (itemId == null) {
            long started = System.nanoTime();
            request(http, HttpMethod.GET, "/api/v1/queue/next?dataset=bench", token, null, null).onComplete(next -> {
                record(load.nextNanos, load.nextCount, System.nanoTime() - started);
                if (next.succeeded() && next.result().status() == 200) {
                    String assigned = new JsonObject(next.result().body()).getJsonObject("item").getString("itemId");
                    loop(http, tokens, rater, assigned, load, stop, nextRater, done);
                } else if (next.succeeded() && next.result().status() == 204) { // this rater is done: a fresh one
                    loop(http, tokens, (int) (nextRater.getAndIncrement() % tokens.size()), null, load, stop, nextRater, done);
                } else {
                    error(load, next.failed() ? next.cause().toString() : next.result().status() + " " + next.result().body());
                    loop(http, tokens, rater, null, load, stop, nextRater, done);
                }
            });
            return;
        }
        String body = "{\"likert\": " + (1 + (itemId.hashCode() & 3)) + ", \"labels\": [\"helpful\"]}";
        long rateStarted = System.nanoTime();
        request(http, HttpMethod.POST, "/api/v1/queue/" + URLEncoder.encode(itemId, StandardCharsets.UTF_8)
                        + "/rating?next=true&dataset=bench", token, body, java.util.UUID.randomUUID().toString())
                .onComplete(rated -> {
                    record(load.rateNanos, load.rateCount, System.nanoTime() - rateStarted);
                    String following = null;
                    if (rated.succeeded() && rated.result().status() == 201) {
                        load.created.incrementAndGet();
                        JsonObject next = new JsonObject(rated.result().body()).getJsonObject("next");
                        following = next == null ? null : next.getJsonObject("item").getString("itemId");
                    } else {
                        error(load, rated.failed() ? rated.cause().toString()
                                : rated.result().status() + " " + rated.result().body());
                    }
                    loop(http, tokens, rater, following, load, stop, nextRater, done);
                });
    }

    private record Reply(int status, String body) {
    }

    private static Future<Reply> request(HttpClient http, HttpMethod method, String uri, String token, String body,
                                         String idempotencyKey) {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(uri).putHeader("Authorization", token);
        if (body != null) {
            options.putHeader("Content-Type", "application/json").putHeader("Idempotency-Key", idempotencyKey);
        }
        return http.request(options)
                .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(b -> new Reply(response.statusCode(), b.toString())));
    }

    private static void record(long[] into, AtomicLong count, long nanos) {
        long i = count.getAndIncrement();
        if (i < into.length) {
            into[(int) i] = nanos;
        }
    }

    private static void error(Load load, String what) {
        load.errors.incrementAndGet();
        load.firstError.compareAndSet("none", what);
    }

    private static double pct(long[] nanos, double p) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    /** Distinct (rating, version) on the ratings topic; reads until {@code expected} or 10 quiet seconds. */
    private static long countRatingsOnTopic(String bootstrap, long expected) {
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RATINGS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(10)) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    quietSince = System.nanoTime();
                }
                for (ConsumerRecord<String, byte[]> record : records) {
                    Rating rating = EventJson.fromBytes(record.value(), Rating.class);
                    seen.add(rating.ratingId() + "@" + rating.version());
                }
                if (seen.size() >= expected) {
                    // read on briefly: anything more would be a duplicate or a rating nobody was told about
                    quietSince = Math.min(quietSince, System.nanoTime() - TimeUnit.SECONDS.toNanos(7));
                }
            }
        }
        return seen.size();
    }

    private record Baseline(double perSecond, double p50, double p99) {
    }

    /** The sink's ceiling: {@code inFlight} senders writing rating events with acks=all, each waiting for its ack. */
    private static Baseline kafkaBaseline(String bootstrap, int inFlight, int seconds) throws Exception {
        Rating template = new Rating("baseline-rating", 1, "baseline/item", "baseline-rater", 4, List.of("helpful"), null,
                null, "v1", Rating.SUBMITTED, "k", Instant.now());
        byte[] value = EventJson.toBytes(template);
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        long[] nanos = new long[8_000_000];
        AtomicLong count = new AtomicLong();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            Semaphore slots = new Semaphore(inFlight);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long started = System.nanoTime();
            long sent = 0;
            while (System.nanoTime() < end) {
                slots.acquire();
                long t0 = System.nanoTime();
                producer.send(new ProducerRecord<>("baseline-ratings", "baseline/item-" + (sent++ % 1000), value), (m, e) -> {
                    record(nanos, count, System.nanoTime() - t0);
                    slots.release();
                });
            }
            slots.acquire(inFlight);
            double elapsed = (System.nanoTime() - started) / 1e9;
            long[] lat = Arrays.copyOf(nanos, (int) Math.min(nanos.length, count.get()));
            return new Baseline(count.get() / elapsed, pct(lat, 0.5), pct(lat, 0.99));
        }
    }

    /** The machine's loopback HTTP ceiling for this service: its cheapest endpoint, closed loop. */
    private static Baseline httpBaseline(HttpClient http, int connections, int seconds) throws InterruptedException {
        long[] nanos = new long[4_000_000];
        AtomicLong count = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(connections);
        long started = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            healthLoop(http, nanos, count, stop, done);
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        done.await(30, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - started) / 1e9;
        long[] lat = Arrays.copyOf(nanos, (int) Math.min(nanos.length, count.get()));
        return new Baseline(count.get() / elapsed, pct(lat, 0.5), pct(lat, 0.99));
    }

    private static void healthLoop(HttpClient http, long[] nanos, AtomicLong count, AtomicBoolean stop, CountDownLatch done) {
        if (stop.get()) {
            done.countDown();
            return;
        }
        long t0 = System.nanoTime();
        http.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/q/health/live"))
                .compose(request -> request.send()).compose(response -> response.body())
                .onComplete(r -> {
                    record(nanos, count, System.nanoTime() - t0);
                    healthLoop(http, nanos, count, stop, done);
                });
    }

    private static Process startService(Path jar, TestStack stack, KeyPair keys, int port) throws Exception {
        Path log = Path.of("target/rating-load-service.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String extra = System.getenv("BENCH_SERVICE_JAVA_OPTS"); // e.g. a profiler agent
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("TUNELOOP_STORE_ENDPOINT", stack.s3().endpoint());
        env.put("TUNELOOP_STORE_ACCESS_KEY", EmbeddedS3.ACCESS_KEY);
        env.put("TUNELOOP_STORE_SECRET_KEY", EmbeddedS3.SECRET_KEY);
        env.put("TUNELOOP_STORE_BUCKET", TestStack.BUCKET);
        env.put("MP_JWT_VERIFY_PUBLICKEY", Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()));
        env.put("TUNELOOP_FEEDBACK_OVERLAP", String.valueOf(OVERLAP));
        // the limit is per rater: a human rates far below it; this load runs each rater flat out
        env.put("TUNELOOP_FEEDBACK_RATE_LIMIT_PER_SECOND", "1000");
        env.put("TUNELOOP_FEEDBACK_RATE_LIMIT_BURST", "1000");
        env.put("TUNELOOP_FEEDBACK_ROUND_AUTOMATIC", "false");
        env.put("QUARKUS_LOG_CATEGORY__IO_TUNELOOP__LEVEL", "WARN");
        stack.openStore().close(); // the bucket
        return builder.start();
    }

    private static void awaitReady(int port, int items) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                if (metrics.body().contains("tuneloop_feedback_items_known " + items + ".0")) {
                    HttpResponse<String> ready = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                    if (ready.statusCode() == 200) {
                        return;
                    }
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the feedback service did not become ready; see target/rating-load-service.log");
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 10),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
