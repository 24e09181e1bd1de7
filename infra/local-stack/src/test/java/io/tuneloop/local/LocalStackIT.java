package io.tuneloop.local;

import io.tuneloop.store.Artifacts;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Topic;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.events.Topics;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.testing.LauncherStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's local command, for real: {@code ./tuneloop local up} starts a Kafka broker process,
 * an S3Proxy process and the five packaged services (on free ports, with state under target/), and
 * independent clients check what it promises. Then the broker alone is stopped and started again,
 * and the services must become healthy and carry data again without being restarted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT {
    private static final Path ROOT = Path.of(System.getProperty("tuneloop.repo.root", "../..")).toAbsolutePath().normalize();
    /** Fresh for every run; the fetched runtime jars are kept beside it so a rerun does not fetch them again. */
    private static final Path STATE = ROOT.resolve("infra/local-stack/target/local-stack-it");
    private static final Path LIB = ROOT.resolve("infra/local-stack/target/local-stack-it-lib");
    private static LauncherStack stack;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void up() throws Exception {
        stack = new LauncherStack(ROOT, STATE, LIB);
        LauncherStack.Result up = tuneloop("local", "up");
        assertThat(up.exitCode()).as("./tuneloop local up\n" + up.output()).isZero();
    }

    @AfterAll
    static void down() throws Exception {
        LauncherStack.Result down = tuneloop("local", "down");
        assertThat(down.exitCode()).as(down.output()).isZero();
        LauncherStack.Result status = tuneloop("local", "status");
        assertThat(status.output()).doesNotContain(" UP ");
    }

    @Test
    @Order(1)
    void statusSaysEveryComponentIsUp() throws Exception {
        LauncherStack.Result status = tuneloop("local", "status");
        for (String component : List.of("kafka", "s3", "ingest", "formatter", "trainer", "eval", "feedback")) {
            assertThat(status.output()).containsPattern("(?m)^" + component + "\\s+UP\\b");
        }
    }

    @Test
    @Order(2)
    void theBrokerHasTheCatalogTopicsAndTheStoreHasTheBucket() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka()))) {
            var topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertThat(topics).containsAll(Topics.ALL.stream().map(Topic::name).toList());
            assertThat(topics).containsAll(Topics.deadLetterTopics());
        }
        try (ArtifactStore store = store()) {
            assertThat(store.bucketExists()).isTrue();
        }
    }

    @Test
    @Order(3)
    void everyServiceIsHealthyAndExportsMetrics() throws Exception {
        for (String service : List.of("ingest", "formatter", "trainer", "eval", "feedback")) {
            HttpResponse<String> health = get(service, "/q/health");
            assertThat(health.statusCode()).as(service + " health: " + health.body()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\": \"UP\"");
            assertThat(get(service, "/q/metrics").body()).contains("jvm_memory_used_bytes");
        }
    }

    @Test
    @Order(4)
    void anUploadBecomesASealedDatasetVersion() throws Exception {
        upload("seed", Files.readAllBytes(ROOT.resolve("../shared/data/self-instruct-seed-tasks.jsonl")));
        awaitVersions("seed", 1);
    }

    /**
     * Data is never code, through the real upload path: records whose text looks like Jinja (an
     * expression, LLaMA-Factory's identity.json placeholders, an include of the formatter's own
     * config, a method call) are sealed literally, and a record the model's chat template refuses
     * (roles that do not alternate) is quarantined with its reason while the rest of its batch is sealed.
     */
    @Test
    @Order(4)
    void recordsThatLookLikeTemplateCodeAreSealedLiterallyAndOneUnrenderableRecordDoesNotStopTheBatch() throws Exception {
        String model = "hostile-sp";
        Path tokenizer = STATE.resolve("hostile-tokenizer");
        io.tuneloop.model.tokenizer.TinyTokenizerFactory.writeSentencePiece(tokenizer,
                List.of("What is the answer? It is written here.", "Hello! I am an assistant developed by a team."), 80, true);
        try (ArtifactStore store = store()) {
            for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
                store.putFile(Artifacts.MODEL.prefix(model) + file, tokenizer.resolve(file),
                        "application/json");
            }
        }
        HttpResponse<String> spec = send(HttpRequest.newBuilder(url("formatter", "/api/v1/datasets/hostile/spec"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"model\": \"" + model + "\", \"chatFormat\": \"model\","
                        + " \"phrasingsPerRecord\": 1, \"validationFraction\": 0}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(spec.statusCode()).as(spec.body()).isEqualTo(200);
        List<String> literal = List.of("What is {{ 7*7 }} in words, exactly?",
                "Hello! I am {{name}}, an AI assistant developed by {{author}}. How can I assist you today?",
                "Print the file {% include 'application.properties' %} for me, please.",
                "Call {{ ''.getClass() }} and {{ ''.__class__.__mro__ }} on the string.",
                "Keep {% raw %}this{% endraw %}, {# that #} and {%- if true %}these{% endif %} as they are.");
        ObjectMapper json = new ObjectMapper();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < literal.size(); i++) {
            body.append(json.writeValueAsString(Map.of("instruction", "Repeat this sentence number " + i + ": " + literal.get(i),
                    "input", "", "output", literal.get(i)))).append('\n');
        }
        body.append(json.writeValueAsString(Map.of("messages", List.of(Map.of("role", "user", "content", "First question here."),
                Map.of("role", "user", "content", "Second question, right after the first."),
                Map.of("role", "assistant", "content", "An answer to both of them."))))).append('\n');
        upload("hostile", body.toString().getBytes(StandardCharsets.UTF_8));
        awaitVersions("hostile", 1);

        String manifest = get("formatter", "/api/v1/datasets/hostile/versions/1").body();
        assertThat(json.readTree(manifest).path("droppedByReason").path("chat_template_error").asInt()).isEqualTo(1);
        StringBuilder sealed = new StringBuilder();
        try (ArtifactStore store = store()) {
            for (JsonNode shard : json.readTree(manifest).path("shards")) {
                sealed.append(new String(store.getBytes("datasets/hostile/v1/" + shard.path("name").asText()),
                        StandardCharsets.UTF_8));
            }
        }
        List<String> texts = new ArrayList<>();
        for (String line : sealed.toString().split("\n")) {
            if (!line.isBlank()) {
                texts.add(json.readTree(line).path("text").asText());
            }
        }
        assertThat(texts).as("every record but the refused conversation").hasSize(literal.size());
        for (String text : literal) {
            assertThat(texts).anySatisfy(t -> assertThat(t).contains(text));
        }
        assertThat(String.join("\n", texts)).doesNotContain("49").doesNotContain("quarkus.").doesNotContain("class java");

        JsonNode quarantine = json.readTree(get("formatter", "/api/v1/datasets/hostile/versions/1/quarantine").body());
        assertThat(quarantine).hasSize(1);
        assertThat(quarantine.get(0).path("reason").asText()).isEqualTo("chat_template_error");
        assertThat(quarantine.get(0).path("line").asLong()).isEqualTo(literal.size() + 1);
        assertThat(quarantine.get(0).path("detail").asText()).contains("Conversation roles must alternate");
        assertThat(get("formatter", "/api/v1/datasets/hostile/preview?limit=10").body())
                .contains("{% include 'application.properties' %}").doesNotContain("quarkus.");
    }

    @Test
    @Order(5)
    void servicesRecoverFromABrokerRestartWithoutBeingRestarted() throws Exception {
        Map<String, String> pidsBefore = servicePids();
        assertThat(tuneloop("local", "down", "kafka").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(60)).until(() -> get("formatter", "/q/health/ready").statusCode() == 503);

        assertThat(tuneloop("local", "up", "kafka").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            for (String service : List.of("ingest", "formatter", "trainer", "eval", "feedback")) {
                assertThat(get(service, "/q/health").statusCode()).as(service).isEqualTo(200);
            }
        });
        assertThat(servicePids()).isEqualTo(pidsBefore);

        upload("seed", "{\"instruction\": \"Say hi after the restart.\", \"output\": \"hi\"}\n".getBytes(StandardCharsets.UTF_8));
        awaitVersions("seed", 2);
    }

    /**
     * The ingest process is killed (SIGKILL, no shutdown hooks) while a large upload's records are
     * in flight in its open Kafka transaction; restarted, it is sent the same upload again. A
     * read_committed consumer of raw-records must then see every record of the file exactly once.
     */
    @Test
    @Order(7)
    void anIngestKilledMidUploadAndRetriedLeavesExactlyOneCopyOfEachRecord() throws Exception {
        int records = 120_000;
        byte[] file = distinctRecords(records);
        String pid = Files.readString(STATE.resolve("run/ingest.pid")).trim();
        CompletableFuture<HttpResponse<String>> cutOff = HTTP.sendAsync(uploadRequest("killed", file),
                HttpResponse.BodyHandlers.ofString());

        // records of the open transaction are visible to read_uncommitted readers only
        try (KafkaConsumer<String, byte[]> uncommitted = consumer("read_uncommitted")) {
            await().atMost(Duration.ofSeconds(120)).until(() -> countOfDataset(uncommitted, "killed", 1) > 0);
        }
        killHard(pid);
        assertThat(cutOff).failsWithin(Duration.ofSeconds(30));

        assertThat(tuneloop("local", "up", "ingest").exitCode()).isZero();
        HttpResponse<String> retried = send(uploadRequest("killed", file), HttpResponse.BodyHandlers.ofString());
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
        assertThat(retried.body()).contains("\"recordsAccepted\":" + records);

        Map<String, Integer> copies = new HashMap<>();
        try (KafkaConsumer<String, byte[]> committed = consumer("read_committed")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (copies.values().stream().mapToInt(Integer::intValue).sum() < records && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : committed.poll(Duration.ofSeconds(1))) {
                    RawRecord raw = EventJson.fromBytes(record.value(), RawRecord.class);
                    if (raw.dataset().equals("killed")) {
                        copies.merge(raw.recordId(), 1, Integer::sum);
                    }
                }
            }
            // anything after the expected count would be a duplicate: read on a little
            for (ConsumerRecord<String, byte[]> record : committed.poll(Duration.ofSeconds(3))) {
                RawRecord raw = EventJson.fromBytes(record.value(), RawRecord.class);
                if (raw.dataset().equals("killed")) {
                    copies.merge(raw.recordId(), 1, Integer::sum);
                }
            }
        }
        assertThat(copies).hasSize(records);
        assertThat(copies.values()).allMatch(count -> count == 1);
    }

    /**
     * The formatter is killed (SIGKILL) while it holds a batch's records un-acknowledged, then
     * restarted: the version it seals must equal, by count and checksum, the version sealed without a
     * crash from the same file in another dataset (examples carry no dataset or batch name).
     */
    @Test
    @Order(6)
    void aFormatterKilledMidStreamSealsExactlyTheExpectedVersion() throws Exception {
        byte[] file = distinctRecords(20_000);
        upload("fmt-control", file);
        awaitVersions("fmt-control", 1);
        String expected = get("formatter", "/api/v1/datasets/fmt-control/versions/1").body();

        String pid = Files.readString(STATE.resolve("run/formatter.pid")).trim();
        CompletableFuture<HttpResponse<String>> uploaded = HTTP.sendAsync(uploadRequest("fmt-killed", file),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> pendingRecords() > 0);
        killHard(pid);
        assertThat(uploaded.get(120, TimeUnit.SECONDS).statusCode()).isEqualTo(202);

        assertThat(tuneloop("local", "up", "formatter").exitCode()).isZero();
        // the restarted formatter reads again from the first record it had not acknowledged
        awaitVersions("fmt-killed", 1);
        String sealed = get("formatter", "/api/v1/datasets/fmt-killed/versions/1").body();
        assertThat(field(sealed, "recordCount")).isEqualTo(field(expected, "recordCount")).isEqualTo("20000");
        assertThat(field(sealed, "contentChecksum")).isEqualTo(field(expected, "contentChecksum"));
    }

    /**
     * The trainer is killed (SIGKILL) in the middle of a run's second shard and restarted: the shard
     * event is redelivered and trained again from the first shard's checkpoint, the run completes,
     * and its per-step losses equal those of an uninterrupted run with the same spec and seed. The
     * killed attempt left no checkpoint manifest.
     */
    @Test
    @Order(8)
    void aTrainerKilledMidShardResumesAndReproducesAnUninterruptedRun() throws Exception {
        Path modelDir = Files.createTempDirectory("tiny-model");
        List<String> corpus = new ArrayList<>();
        StringBuilder data = new StringBuilder();
        String[] answers = {"red", "blue", "green", "yellow"};
        for (int i = 0; i < 80; i++) {
            corpus.add("What colour is item " + i + "? " + answers[i % 4]);
            data.append("{\"instruction\": \"What colour is item ").append(i).append("?\", \"output\": \"")
                    .append(answers[i % 4]).append("\"}\n");
        }
        io.tuneloop.model.TinyModelFactory.write(modelDir, io.tuneloop.model.TinyModelFactory.Spec.llama(), corpus, 7);
        try (ArtifactStore store = store(); var files = Files.list(modelDir)) {
            for (Path file : files.toList()) {
                store.putFile(Artifacts.MODEL.prefix("tiny-it") + file.getFileName(), file, null);
            }
        }
        HttpResponse<String> specSet = send(HttpRequest.newBuilder(url("formatter", "/api/v1/datasets/colours/spec"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"model\": \"tiny-it\", \"chatFormat\": \"chatml\", \"maxTokens\": 64, \"validationFraction\": 0.2}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(specSet.statusCode()).as(specSet.body()).isEqualTo(200);
        upload("colours", data.toString().getBytes(StandardCharsets.UTF_8));
        awaitVersions("colours", 1);

        String run = "{\"runId\": \"%s\", \"baseModel\": \"tiny-it\", \"dataset\": \"colours\", \"datasetVersion\": 1,"
                + " \"totalSteps\": 160, \"shardSteps\": 80, \"batchSize\": 16, \"seed\": 5,"
                + " \"lora\": {\"rank\": 4, \"dropout\": 0.1}, \"optimizer\": {\"learningRate\": 0.005}}";
        startRun(run.formatted("steady"));
        awaitRunState("steady", "SUCCEEDED");
        // who did what, in the lineage API: the run's starter (a trainer) and the upload's (the stack's admin)
        String viewer = token("vic", "--role", "viewer", "--team", LauncherStack.TEAM);
        JsonNode lineage = new ObjectMapper().readTree(stack.get("trainer", "/api/v1/runs/steady/checkpoints/final/lineage", viewer).body());
        assertThat(lineage.path("run").path("startedBy").asText()).isEqualTo("tom");
        assertThat(lineage.path("uploads").get(0).path("principal").asText()).isEqualTo("stack-admin");
        assertThat(stack.get("trainer", "/api/v1/runs/steady/checkpoints/final/lineage", null).statusCode()).isEqualTo(401);
        assertThat(stack.get("trainer", "/api/v1/runs/steady", token("eve", "--role", "viewer", "--team", "other-team"))
                .statusCode()).as("another team's run").isEqualTo(404);
        HttpResponse<String> byViewer = send(HttpRequest.newBuilder(url("trainer", "/api/v1/runs/steady/cancel"))
                .header("Authorization", "Bearer " + viewer).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(byViewer.statusCode()).as("a viewer may not cancel runs").isEqualTo(403);

        String pid = Files.readString(STATE.resolve("run/trainer.pid")).trim();
        startRun(run.formatted("interrupted"));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> Long.parseLong(field(get("trainer", "/api/v1/runs/interrupted").body(), "step")) > 90);
        killHard(pid);
        try (ArtifactStore store = store()) {
            assertThat(store.exists("runs/interrupted/shard-0/manifest.json")).isTrue();
            assertThat(store.exists("runs/interrupted/shard-1/manifest.json")).as("the killed attempt's manifest").isFalse();
        }

        assertThat(tuneloop("local", "up", "trainer").exitCode()).isZero();
        awaitRunState("interrupted", "SUCCEEDED");
        List<Double> steady = losses("steady");
        List<Double> interrupted = losses("interrupted");
        assertThat(interrupted).hasSize(160).hasSameSizeAs(steady);
        for (int i = 0; i < steady.size(); i++) {
            assertThat(interrupted.get(i)).as("step " + i).isCloseTo(steady.get(i), org.assertj.core.api.Assertions.within(1e-5));
        }
        assertThat(steady.get(159)).isLessThan(steady.get(0));
    }

    // ------------------------------------------------------------------------------------ helpers

    /**
     * Ratings survive a SIGKILL of the feedback service: after the restart its views are rebuilt from
     * the topics (ratings, items), a client retry with the same idempotency key still finds the one
     * rating it created, and a rater is not handed an item they already rated.
     */
    @Test
    @Order(9)
    void aFeedbackServiceKilledAfterRatingsRebuildsItsViewsFromTheTopics() throws Exception {
        String dataset = "rated";
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 3; i++) {
                ReviewItem item = new ReviewItem(dataset + "/item-" + i, "run-r/shard-0", "run-r", 0, dataset, 1,
                        "general", "task-" + i, "Prompt " + i, "Response " + i, null, 1.0 - i / 10.0, Instant.now());
                producer.send(new ProducerRecord<>(Topics.REVIEW_ITEMS.name(), dataset, EventJson.toBytes(item))).get();
            }
        }
        stack.claim(dataset, LauncherStack.TEAM); // its items are the team's: only the team's raters get them
        String ann = token("ann", "--role", "rater", "--team", LauncherStack.TEAM);
        String bob = token("bob", "--role", "rater", "--team", LauncherStack.TEAM);
        String reviewer = token("rita", "--role", "reviewer", "--team", LauncherStack.TEAM);
        assertThat(authed("GET", "/api/v1/queue/next?dataset=" + dataset, token("oscar", "--role", "rater", "--team",
                "other-team"), null, null).statusCode()).as("another team's rater gets none of its items").isEqualTo(204);
        Map<String, String> rated = new HashMap<>();
        for (String rater : List.of(ann, bob)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> authed("GET", "/api/v1/queue/next?dataset=" + dataset,
                    rater, null, null).statusCode() == 200);
            String itemId = field(authed("GET", "/api/v1/queue/next?dataset=" + dataset, rater, null, null).body(), "itemId");
            HttpResponse<String> created = authed("POST", "/api/v1/queue/" + encoded(itemId) + "/rating", rater, "key-1",
                    "{\"likert\": 4}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            rated.put(rater, itemId);
        }
        assertThat(rated.get(ann)).isNotEqualTo(rated.get(bob)); // fewest raters first: bob gets the next item

        String pid = Files.readString(STATE.resolve("run/feedback.pid")).trim();
        killHard(pid);
        assertThat(tuneloop("local", "up", "feedback").exitCode()).isZero(); // up = healthy = views caught up

        String itemId = rated.get(ann);
        for (var entry : Map.of("ann", itemId, "bob", rated.get(bob)).entrySet()) {
            HttpResponse<String> ratings = authed("GET", "/api/v1/items/" + encoded(entry.getValue()) + "/ratings",
                    reviewer, null, null);
            assertThat(ratings.statusCode()).isEqualTo(200);
            assertThat(ratings.body()).contains("\"raterId\":\"" + entry.getKey() + "\"", "\"likert\":4");
        }
        HttpResponse<String> retry = authed("POST", "/api/v1/queue/" + encoded(itemId) + "/rating", ann, "key-1",
                "{\"likert\": 4}");
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        HttpResponse<String> next = authed("GET", "/api/v1/queue/next?dataset=" + dataset, ann, null, null);
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(field(next.body(), "itemId")).isNotEqualTo(itemId);
        assertThat(authed("GET", "/api/v1/ratings/mine", ann, null, null).body()).contains(itemId);
    }

    /** Item ids contain slashes (checkpoint/suite/prompt): one path segment, encoded. */
    private static String encoded(String itemId) {
        return java.net.URLEncoder.encode(itemId, StandardCharsets.UTF_8);
    }

    /**
     * A real Prometheus (Debian's) scrapes the five services with the repository's config and rules;
     * every metric named by a dashboard query or an alert rule must be among the scraped series.
     * Series that appear with their first event are provoked first: a rejected record, a poison rating.
     */
    @Test
    @Order(10)
    void aRealPrometheusScrapesEveryMetricTheDashboardsAndAlertsName() throws Exception {
        Path binary = Path.of("/usr/bin/prometheus");
        if (!"1".equals(System.getenv("TUNELOOP_REQUIRE_PROMETHEUS"))) {
            Assumptions.assumeTrue(Files.isExecutable(binary), "no prometheus (Debian package prometheus)");
        }
        upload("monitored", "{\"instruction\": \"Say hi.\", \"output\": \"Hi.\"}\n{not json\n"
                .getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.RATINGS.name(), "poison", "{\"likert\": 9}"
                    .getBytes(StandardCharsets.UTF_8))).get();
        }

        Path dir = STATE.resolve("prometheus");
        deleteRecursively(dir);
        Files.createDirectories(dir.resolve("rules"));
        Path source = MonitoringFiles.prometheus(ROOT);
        try (var rules = Files.list(source.resolve("rules"))) {
            for (Path rule : rules.toList()) {
                Files.copy(rule, dir.resolve("rules").resolve(rule.getFileName()));
            }
        }
        String config = Files.readString(source.resolve("prometheus.yml")).replace("scrape_interval: 15s", "scrape_interval: 2s");
        Map<String, Integer> defaults = Map.of("ingest", 8081, "formatter", 8082, "trainer", 8083, "eval", 8084, "feedback", 8085);
        for (var service : defaults.entrySet()) {
            config = config.replace("127.0.0.1:" + service.getValue(), "127.0.0.1:" + stack.port(service.getKey()));
        }
        Files.writeString(dir.resolve("prometheus.yml"), config);
        int port = freePort();
        Process prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
            Set<String> wanted = MonitoringFiles.metricNames(ROOT);
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
                String up = send(HttpRequest.newBuilder(api.resolve("query?query=sum(up%7Bjob%3D%22tuneloop%22%7D)"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(up).as("all five services scraped").contains("\"5\"]");
                String names = send(HttpRequest.newBuilder(api.resolve("label/__name__/values")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Set<String> scraped = new java.util.TreeSet<>();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"").matcher(names);
                while (m.find()) {
                    scraped.add(m.group(1));
                }
                assertThat(scraped).as("series scraped by Prometheus").containsAll(wanted);
            });
        } finally {
            prometheus.destroy();
            prometheus.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static String token(String user, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("local", "token", user));
        args.addAll(List.of(options));
        LauncherStack.Result minted = tuneloop(args.toArray(String[]::new));
        assertThat(minted.exitCode()).as(minted.output()).isZero();
        return minted.output().strip();
    }

    private static HttpResponse<String> authed(String method, String path, String token, String idempotencyKey,
                                               String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url("feedback", path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Starts a run as the trainer "tom" of the stack's team. */
    private static void startRun(String spec) throws Exception {
        HttpResponse<String> started = send(HttpRequest.newBuilder(url("trainer", "/api/v1/runs"))
                .header("Authorization", "Bearer " + stack.token("tom", LauncherStack.TEAM, "trainer"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(spec)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    }

    private static void awaitRunState(String runId, String state) {
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(field(get("trainer", "/api/v1/runs/" + runId).body(), "state")).isEqualTo(state));
    }

    private static List<Double> losses(String runId) throws Exception {
        List<Double> losses = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"loss\":([-0-9.Ee]+)")
                .matcher(get("trainer", "/api/v1/runs/" + runId + "/steps").body());
        while (m.find()) {
            losses.add(Double.parseDouble(m.group(1)));
        }
        return losses;
    }

    /** SIGKILL to a service this test's stack started, then wait until the process is gone (its port free). */
    private static void killHard(String pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-KILL", pid).start().waitFor()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(Path.of("/proc", pid)));
    }

    private static double pendingRecords() {
        try {
            for (String line : get("formatter", "/q/metrics").body().split("\n")) {
                if (line.startsWith("tuneloop_formatter_records_pending")) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        } catch (Exception e) {
            // not up (yet): nothing pending
        }
        return 0;
    }

    /** A top-level scalar of a JSON object, as text. */
    private static String field(String json, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":\"?([^\",}]*)").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return m.group(1);
    }

    private static byte[] distinctRecords(int count) {
        StringBuilder out = new StringBuilder(count * 420);
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < count; i++) {
            out.append("{\"instruction\": \"Describe item ").append(i).append(" of the inventory.\", \"input\": \"");
            for (int w = 0; w < 50; w++) {
                out.append((char) ('a' + random.nextInt(26))).append((char) ('a' + random.nextInt(26)))
                        .append((char) ('a' + random.nextInt(26))).append((char) ('a' + random.nextInt(26))).append(' ');
            }
            out.append("\", \"output\": \"Item ").append(i).append(" is unique.\"}\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An upload as the stack's admin (asynchronous sends bypass {@link #send}, so the token is set here). */
    private static HttpRequest uploadRequest(String dataset, byte[] body) {
        return HttpRequest.newBuilder(url("ingest", "/api/v1/datasets/" + dataset + "/uploads?filename=it.jsonl"))
                .header("Authorization", "Bearer " + stack.adminToken())
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static KafkaConsumer<String, byte[]> consumer(String isolation) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000),
                new StringDeserializer(), new ByteArrayDeserializer());
        var partitions = consumer.partitionsFor(Topics.RAW_RECORDS.name()).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** Polls once and counts the records of {@code dataset} (by key), up to {@code enough}. */
    private static int countOfDataset(KafkaConsumer<String, byte[]> consumer, String dataset, int enough) {
        int count = 0;
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
            if (dataset.equals(record.key()) && ++count >= enough) {
                break;
            }
        }
        return count;
    }

    private static void upload(String dataset, byte[] body) throws Exception {
        HttpResponse<String> response = send(uploadRequest(dataset, body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static void awaitVersions(String dataset, int count) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            String versions = get("formatter", "/api/v1/datasets/" + dataset + "/versions").body();
            assertThat(versions.split("\"version\":", -1).length - 1).isEqualTo(count);
        });
    }

    private static Map<String, String> servicePids() throws IOException {
        Map<String, String> pids = new HashMap<>();
        for (String service : List.of("ingest", "formatter", "trainer", "eval", "feedback")) {
            pids.put(service, Files.readString(STATE.resolve("run/" + service + ".pid")).trim());
        }
        return pids;
    }

    private static String kafka() {
        return stack.kafka();
    }

    private static ArtifactStore store() throws IOException {
        return stack.store();
    }

    private static URI url(String service, String path) {
        return stack.url(service, path);
    }

    private static HttpResponse<String> get(String service, String path) throws Exception {
        return send(HttpRequest.newBuilder(url(service, path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code request}; one that names no token goes as the stack's admin (of {@link LauncherStack#TEAM}). */
    private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws Exception {
        return HTTP.send(stack.asAdminUnlessAuthorized(request), body);
    }

    private static LauncherStack.Result tuneloop(String... args) throws Exception {
        return stack.tuneloop(args);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        LauncherStack.deleteRecursively(dir);
    }

    private static int freePort() throws IOException {
        return LauncherStack.freePort();
    }
}
