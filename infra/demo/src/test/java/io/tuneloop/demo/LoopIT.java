package io.tuneloop.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Service;
import io.tuneloop.events.Topic;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.testing.LauncherStack;
import io.tuneloop.tokens.BearerTokens;
import io.tuneloop.tokens.SigningKeys;
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
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole loop through the real stack, then faults and bad input against the stack it leaves:
 * {@code ./tuneloop local demo --quick} (ingest, format, train, evaluate, simulated raters over
 * the feedback API, the round policy, round 2 trained and evaluated), the lineage API on its
 * checkpoints, an eval SIGKILLed mid-report, a feedback service SIGKILLed under rating load, a
 * corpus of bad input on every public interface, and a broker restart after which new data is
 * still trained and evaluated. Everything goes through the launcher, HTTP, Kafka and the bucket.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoopIT {
    private static final Path ROOT = Path.of(System.getProperty("tuneloop.repo.root", "../..")).toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DemoProfile PROFILE = DemoProfile.QUICK;
    private static LauncherStack stack;
    private static JsonNode report;
    /** Requests the raters had to repeat because the feedback service was down or rebuilding its views. */
    private static final AtomicInteger RETRIED = new AtomicInteger();

    @BeforeAll
    static void runTheQuickDemo() throws Exception {
        stack = new LauncherStack(ROOT, ROOT.resolve("infra/demo/target/loop-it"),
                ROOT.resolve("infra/local-stack/target/local-stack-it-lib"));
        LauncherStack.Result demo = stack.tuneloop(Duration.ofMinutes(20), "local", "demo", "--quick");
        assertThat(demo.exitCode()).as(demo.output()).isZero();
        assertThat(demo.output()).contains("tuneloop demo report", "heldout_phrasings", "rater page");
        report = JSON.readTree(stack.state().resolve("report.json").toFile());
    }

    @AfterAll
    static void down() throws Exception {
        if (stack != null) {
            stack.tuneloop("local", "down");
        }
    }

    @Test
    @Order(1)
    void oneRoundRunsThroughEveryServiceAndTheFeedbackReachesRound2() throws Exception {
        JsonNode upload = report.path("upload");
        assertThat(upload.path("recordsRead").asLong()).isPositive();
        assertThat(upload.path("recordsAccepted").asLong()).isEqualTo(upload.path("recordsRead").asLong());

        int ratings = PROFILE.reviewItemsPerRound() * DemoProfile.OVERLAP;
        assertThat(report.path("ratings").path("rated").asInt()).isEqualTo(ratings);
        JsonNode feedback = report.path("feedback");
        assertThat(feedback.path("acceptedRatings").asInt()).isEqualTo(ratings);
        assertThat(feedback.path("samples").asInt()).isPositive();
        assertThat(feedback.path("trainExamplesV2").asLong()).isGreaterThan(feedback.path("trainExamplesV1").asLong());

        // round 2 continued from round 1's model on the feedback samples with a replay of version 1
        assertThat(report.path("round2Sft").path("initFrom").asText()).isEqualTo(PROFILE.runId(1));
        assertThat(report.path("round2Sft").path("feedbackShare").asDouble()).isEqualTo(DemoProfile.FEEDBACK_SHARE);
        assertThat(report.path("round2Sft").path("totalSteps").asLong()).isEqualTo(PROFILE.roundSteps());
        for (String suite : List.of("heldout_phrasings", "heldout_tasks", "ifeval", DemoProfile.TAUGHT_SUITE)) {
            assertThat(report.path("scores").has(suite)).as(suite).isTrue();
            report.path("scores").path(suite).fields().forEachRemaining(metric -> {
                JsonNode row = metric.getValue();
                String what = suite + " " + metric.getKey();
                assertThat(row.path("round2").isNumber()).as(what).isTrue();
                // round 2 is compared with round 1 on the same prompts, with a paired-bootstrap interval
                assertThat(row.path("round2VsRound1Low").isNumber()).as(what).isTrue();
                assertThat(row.path("round2VsRound1High").isNumber()).as(what).isTrue();
                assertThat(row.path("round2VsRound1Low").asDouble()).as(what)
                        .isLessThanOrEqualTo(row.path("round2VsRound1").asDouble())
                        .isLessThanOrEqualTo(row.path("round2VsRound1High").asDouble());
            });
        }
        // no eval prompt was trained on: each round's version was checked against every suite eval scored
        for (String round : List.of("round1", "round2")) {
            JsonNode overlap = report.path("trainEvalOverlap").path(round);
            assertThat(overlap.path("checked").asBoolean()).as(round).isTrue();
            assertThat(overlap.path("remaining").asLong()).as(round).isZero();
            assertThat(overlap.path("uncheckedSuites")).as(round).isEmpty();
        }
        // the agreed preference pairs were trained on by round 2's DPO run, after its SFT run
        JsonNode preferences = report.path("preferences");
        assertThat(preferences.path("pairs").asLong()).isPositive();
        assertThat(preferences.path("dpoRun").asText()).isEqualTo(PROFILE.runId(2) + "-dpo");
        assertThat(preferences.path("dpoState").asText()).isEqualTo("SUCCEEDED");
        assertThat(preferences.path("dpoSteps").asLong()).isEqualTo(PROFILE.preferenceSteps());
        assertThat(preferences.path("lastRewardAccuracy").isNumber()).isTrue();
        assertThat(report.path("round2Run").asText()).isEqualTo(PROFILE.runId(2) + "-dpo");
        // every sample in round 2's data names the ratings behind it, and those ratings are on the topic
        Set<String> onTopic = ratingRefsOnTopic();
        try (ArtifactStore store = stack.store()) {
            String sft = new String(store.getBytes(Artifacts.ROUND_SAMPLES.key(new Artifacts.Round(DemoProfile.DATASET, 1))), StandardCharsets.UTF_8);
            List<String> lines = sft.lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).hasSize(feedback.path("samples").asInt());
            for (String line : lines) {
                String refs = JSON.readTree(line).path("attributes").path("feedback.ratings").asText();
                assertThat(refs).isNotBlank();
                assertThat(onTopic).containsAll(List.of(refs.split(",")));
            }
        }
    }

    @Test
    @Order(2)
    void aCheckpointsLineageNamesItsRunVersionUploadAndRatings() throws Exception {
        HttpResponse<String> reply = stack.get("trainer", "/api/v1/runs/" + PROFILE.runId(2) + "/checkpoints/final/lineage");
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        JsonNode lineage = JSON.readTree(reply.body());
        assertThat(lineage.path("run").path("runId").asText()).isEqualTo(PROFILE.runId(2));
        assertThat(lineage.path("run").path("baseModel").asText()).isEqualTo(DemoProfile.MODEL);
        assertThat(lineage.path("datasetVersion").path("version").asInt()).isEqualTo(2);
        assertThat(lineage.path("datasetVersion").path("round").asInt()).isEqualTo(1);
        assertThat(lineage.path("uploads")).hasSize(1);
        assertThat(lineage.path("uploads").get(0).path("sourceName").asText()).isEqualTo("demo.jsonl");
        assertThat(lineage.path("uploads").get(0).path("recordsAccepted").asLong())
                .isEqualTo(report.path("upload").path("recordsAccepted").asLong());
        assertThat(lineage.path("feedbackRounds")).hasSize(1);
        assertThat(lineage.path("feedbackRounds").get(0).path("samples").asInt()).isEqualTo(report.path("feedback").path("samples").asInt());
        assertThat(lineage.path("missing")).isEmpty();
        // who did what: the upload's user, the policy that started the run, the policy that asked for the round
        assertThat(lineage.path("uploads").get(0).path("principal").asText()).isEqualTo("demo-data-engineer");
        assertThat(lineage.path("run").path("startedBy").asText()).isEqualTo("service:trainer/policy:" + DemoProfile.POLICY);
        assertThat(lineage.path("feedbackRounds").get(0).path("requestedBy").asText())
                .isEqualTo("service:feedback/round-policy");
        assertThat(report.path("feedback").path("principals").path("uploads").get(0).asText()).isEqualTo("demo-data-engineer");
        // the lineage is the demo team's: no token is refused, another team sees no such run
        assertThat(stack.get("trainer", "/api/v1/runs/" + PROFILE.runId(2) + "/checkpoints/final/lineage", null).statusCode())
                .isEqualTo(401);
        assertThat(stack.get("trainer", "/api/v1/runs/" + PROFILE.runId(2) + "/checkpoints/final/lineage",
                stack.token("eve", "other-team", "viewer")).statusCode()).isEqualTo(404);
        assertThat(stack.get("trainer", "/api/v1/runs/" + PROFILE.runId(2) + "/checkpoints/final/lineage",
                token("dana", "data")).statusCode()).as("a data engineer of the team may read it").isEqualTo(200);
        assertThat(stack.get("trainer", "/api/v1/runs/" + PROFILE.runId(2), token("rae", "rater")).statusCode())
                .as("a rater may not read runs").isEqualTo(403);
        List<String> ratings = new ArrayList<>();
        lineage.path("ratings").forEach(r -> ratings.add(r.asText()));
        assertThat(ratings).isNotEmpty();
        assertThat(ratingRefsOnTopic()).containsAll(ratings);

        JsonNode first = JSON.readTree(stack.get("trainer", "/api/v1/runs/" + PROFILE.runId(1) + "/checkpoints/0/lineage").body());
        assertThat(first.path("datasetVersion").path("version").asInt()).isEqualTo(1);
        assertThat(first.path("feedbackRounds")).isEmpty();
        assertThat(first.path("ratings")).isEmpty();
        assertThat(stack.get("trainer", "/api/v1/runs/no-such-run/checkpoints/0/lineage").statusCode()).isEqualTo(404);
        assertThat(stack.get("trainer", "/api/v1/runs/" + PROFILE.runId(1) + "/checkpoints/zero/lineage").statusCode()).isEqualTo(400);
    }

    /**
     * Eval SIGKILLed while it evaluates a checkpoint: after a restart the checkpoint is evaluated
     * once more from scratch, and its report equals that of an identical checkpoint evaluated
     * without interruption; its review items reach the feedback service once each.
     */
    @Test
    @Order(3)
    void anEvalKilledMidReportFinishesTheSameReportAfterARestart() throws Exception {
        String run = "{\"runId\": \"%s\", \"baseModel\": \"" + DemoProfile.MODEL + "\", \"dataset\": \"demo\","
                + " \"datasetVersion\": 2, \"mode\": \"full\", \"totalSteps\": 6, \"shardSteps\": 6, \"batchSize\": 4, \"seed\": 3}";
        post("trainer", "/api/v1/runs", run.formatted("eval-steady"), 201);
        awaitReport("eval-steady/shard-0");

        post("trainer", "/api/v1/runs", run.formatted("eval-killed"), 201);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).until(() ->
                stack.get("eval", "/api/v1/checkpoints/eval-killed/shard-0").body().contains("\"PENDING\""));
        stack.killHard("eval");
        try (ArtifactStore store = stack.store()) {
            assertThat(store.exists(Artifacts.EVAL_REPORT.key(Artifacts.CheckpointRef.of("eval-killed/shard-0")))).as("report written before the kill").isFalse();
        }
        assertThat(stack.tuneloop("local", "up", "eval").exitCode()).isZero();
        JsonNode killed = awaitReport("eval-killed/shard-0");
        JsonNode steady = awaitReport("eval-steady/shard-0");
        assertThat(killed.path("suites")).isEqualTo(steady.path("suites"));
        assertThat(killed.path("prompts").asLong()).isEqualTo(steady.path("prompts").asLong());

        String admin = token("loop-admin", "reviewer");
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            JsonNode items = JSON.readTree(send(HttpRequest.newBuilder(stack.url("feedback", "/api/v1/items?limit=500"))
                    .header("Authorization", "Bearer " + admin).build()).body());
            long ofKilled = 0;
            Set<String> ids = new HashSet<>();
            for (JsonNode item : items) {
                if (item.path("checkpointId").asText().equals("eval-killed/shard-0")) {
                    ofKilled++;
                    ids.add(item.path("itemId").asText());
                }
            }
            assertThat(ofKilled).isEqualTo(PROFILE.reviewItemsPerCheckpoint()).isEqualTo(ids.size());
        });
    }

    /**
     * Feedback SIGKILLed while raters post: every rating a client was told about (2xx, including
     * replays of retries with the same Idempotency-Key) is on the ratings topic, and no rating
     * (id, version) is there twice.
     */
    @Test
    @Order(4)
    void aFeedbackServiceKilledUnderLoadLosesAndDuplicatesNoRating() throws Exception {
        String dataset = "load";
        int itemCount = 60;
        publishItemsForLoad(dataset, itemCount);
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger posted = new AtomicInteger();
        RETRIED.set(0);
        RaterLoad load = RaterLoad.start("load-rater-", 4, dataset, acknowledged, posted);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20)).until(() -> posted.get() >= 40);
        stack.killHard("feedback");
        assertThat(stack.tuneloop("local", "up", "feedback").exitCode()).isZero();
        load.finish();
        assertThat(RETRIED.get()).as("requests the kill cut off or refused (else it did not hit the load)").isPositive();
        assertEveryAcknowledgedRatingOnceOnTheTopic(dataset, acknowledged, itemCount);
    }

    /** Review items for a rating load, published and visible to reviewers. */
    private static void publishItemsForLoad(String dataset, int itemCount) throws Exception {
        stack.claim(dataset, DemoProfile.TEAM); // raters see only their team's items
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int i = 0; i < itemCount; i++) {
                ReviewItem item = new ReviewItem(dataset + "/item-" + i, "load-run/shard-0", "load-run", 0, dataset, 1,
                        "general", "task-" + (i % 5), "Prompt " + i, "Response " + i, null, 0.5, Instant.now());
                producer.send(new ProducerRecord<>(Topics.REVIEW_ITEMS.name(), dataset, EventJson.toBytes(item))).get();
            }
        }
        String reviewer = token("load-reviewer", "reviewer");
        await().atMost(Duration.ofMinutes(1)).until(() -> send(HttpRequest.newBuilder(stack.url("feedback", "/api/v1/items?limit=500"))
                .header("Authorization", "Bearer " + reviewer).build()).body().split("\"" + dataset + "/item-", -1).length - 1 >= itemCount);
    }

    /** Raters rating every item of a dataset in parallel, each with a token of their own. */
    private record RaterLoad(ExecutorService raters, List<Future<?>> work) {
        static RaterLoad start(String namePrefix, int count, String dataset, Map<String, String> acknowledged,
                               AtomicInteger posted) throws Exception {
            ExecutorService raters = Executors.newFixedThreadPool(count);
            List<Future<?>> work = new ArrayList<>();
            for (int r = 0; r < count; r++) {
                String token = token(namePrefix + r, "rater");
                work.add(raters.submit(() -> rateAll(dataset, token, acknowledged, posted)));
            }
            return new RaterLoad(raters, work);
        }

        void finish() throws Exception {
            for (Future<?> f : work) {
                f.get(5, TimeUnit.MINUTES);
            }
            raters.shutdown();
        }
    }

    /** Every rating a client was told about is on the ratings topic, each (id, version) once, and nothing else. */
    private static void assertEveryAcknowledgedRatingOnceOnTheTopic(String dataset, Map<String, String> acknowledged,
                                                                    int itemCount) {
        Map<String, Integer> copies = new HashMap<>();
        Set<String> onTopic = new HashSet<>();
        for (ConsumerRecord<String, byte[]> record : readAll(Topics.RATINGS.name())) {
            JsonNode rating = jsonOrEmpty(record.value()); // the bad-input test put garbage on the topic
            if (rating.path("itemId").asText().startsWith(dataset + "/")) {
                copies.merge(rating.path("ratingId").asText() + "@" + rating.path("version").asInt(), 1, Integer::sum);
                onTopic.add(rating.path("ratingId").asText());
            }
        }
        assertThat(copies.values()).as("copies of each rating version").isNotEmpty().containsOnly(1);
        assertThat(onTopic).as("every acknowledged rating is on the topic, and nothing else").isEqualTo(acknowledged.keySet());
        assertThat(acknowledged).hasSize(itemCount * DemoProfile.OVERLAP);
    }

    /**
     * Bad input on every public interface gets a clear refusal (4xx with a reason) or a dead-letter
     * record with its reason, and the services stay up.
     */
    @Test
    @Order(5)
    void badInputIsRefusedWithAReasonOrDeadLetteredAndTheServicesStayUp() throws Exception {
        // HTTP
        assertRefused(upload("bad", "application/x-ndjson", "\u0000\u0001 this is not JSON {{{\n".repeat(3).getBytes()), 202, 400);
        assertRefused(put("formatter", "/api/v1/datasets/demo/spec", "{\"phrasingsPerRecord\": 99}"), 400);
        assertRefused(put("formatter", "/api/v1/datasets/demo/spec", "{not json"), 400);
        assertRefused(post("trainer", "/api/v1/runs", "{\"baseModel\": \"no-such-model\", \"dataset\": \"demo\","
                + " \"datasetVersion\": 1}", -1), 400);
        assertRefused(post("trainer", "/api/v1/runs", "[1, 2", -1), 400);
        assertThat(stack.get("eval", "/api/v1/reports/no-run/shard-0").statusCode()).isEqualTo(404);

        String rater = token("bad-rater", "rater");
        stack.claim("bad", DemoProfile.TEAM);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.REVIEW_ITEMS.name(), "bad", EventJson.toBytes(new ReviewItem("bad/item-0",
                    "bad-run/shard-0", "bad-run", 0, "bad", 1, "general", "t", "Prompt", "Response", null, 0.5, Instant.now())))).get();
        }
        String item = await().atMost(Duration.ofMinutes(1)).until(() -> {
            HttpResponse<String> next = send(HttpRequest.newBuilder(stack.url("feedback", "/api/v1/queue/next?dataset=bad"))
                    .header("Authorization", "Bearer " + rater).build());
            return next.statusCode() == 200 ? JSON.readTree(next.body()).path("item").path("itemId").asText() : null;
        }, java.util.Objects::nonNull);
        String ratingPath = "/api/v1/queue/" + StackClient.segment(item) + "/rating";
        assertRefused(rate("/api/v1/queue/no-such-item/rating", rater, "{\"likert\": 3}"), 404, 409);
        assertRefused(rate(ratingPath, rater, "{\"likert\": 9}"), 400);
        assertRefused(rate(ratingPath, rater, "{\"likert\": 3, \"raterId\": \"someone-else\"}"), 400);
        assertRefused(rate(ratingPath, rater, "{\"likert\": 3, \"labels\": [\"no-such-label\"]}"), 400);
        assertRefused(rate(ratingPath, rater, "{\"likert\": 3, \"correctedResponse\": \"" + "x".repeat(100_000) + "\"}"), 413);
        BearerTokens forger = new BearerTokens(SigningKeys.generate().getPrivate(), BearerTokens.LOCAL_ISSUER);
        assertThat(rate(ratingPath, forger.mint("mallory", List.of("rater"), DemoProfile.TEAM, Duration.ofHours(1)),
                "{\"likert\": 5}").statusCode())
                .as("a token signed by another key").isEqualTo(401);
        String unsigned = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"mallory\",\"upn\":\"mallory\",\"groups\":[\"admin\"],\"iss\":\"" + BearerTokens.LOCAL_ISSUER
                        + "\",\"exp\":" + (Instant.now().getEpochSecond() + 3600) + "}").getBytes()) + ".";
        assertThat(rate(ratingPath, unsigned, "{\"likert\": 5}").statusCode()).as("an unsigned token").isEqualTo(401);
        assertThat(rate(ratingPath, rater.substring(0, rater.length() - 4) + "AAAA", "{\"likert\": 5}").statusCode())
                .as("a tampered signature").isEqualTo(401);

        // Kafka: a poison event (not JSON, and JSON of the wrong shape) on every topic a service consumes
        Map<String, Integer> expected = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (Service service : Service.ALL) {
                for (Topic<String, ?> topic : service.consumes()) {
                    expected.merge(topic.deadLetterTopic(service), 2, Integer::sum);
                }
            }
            Set<String> topics = new HashSet<>();
            Service.ALL.forEach(s -> s.consumes().forEach(t -> topics.add(t.name())));
            for (String topic : topics) {
                producer.send(new ProducerRecord<>(topic, "poison", "\u0000not json{".getBytes(StandardCharsets.UTF_8))).get();
                producer.send(new ProducerRecord<>(topic, "poison", "{\"unexpected\": true}".getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        for (Map.Entry<String, Integer> dlq : expected.entrySet()) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                List<ConsumerRecord<String, byte[]>> parked = readAll(dlq.getKey()).stream()
                        .filter(r -> "poison".equals(r.key())).toList();
                assertThat(parked).as(dlq.getKey()).hasSizeGreaterThanOrEqualTo(dlq.getValue());
                for (ConsumerRecord<String, byte[]> r : parked) {
                    var reason = r.headers().lastHeader("dead-letter-reason");
                    assertThat(reason).as("reason header on " + dlq.getKey()).isNotNull();
                    assertThat(new String(reason.value(), StandardCharsets.UTF_8)).isNotBlank();
                }
            });
        }
        for (String service : LauncherStack.SERVICES) {
            HttpResponse<String> health = stack.get(service, "/q/health");
            assertThat(health.statusCode()).as(service + " after the bad input: " + health.body()).isEqualTo(200);
        }
    }

    /** After a broker restart the services go on: new data is sealed, trained by the policy and evaluated. */
    @Test
    @Order(6)
    void afterABrokerRestartNewDataIsSealedTrainedAndEvaluated() throws Exception {
        assertThat(stack.tuneloop("local", "down", "kafka").exitCode()).isZero();
        assertThat(stack.tuneloop("local", "up", "kafka").exitCode()).isZero();

        StringBuilder extra = new StringBuilder();
        for (DemoTasks.Example e : DemoTasks.generate(12, 99)) {
            if (e.task().equals("add")) {
                extra.append(JSON.writeValueAsString(Map.of("task", "add_more", "instruction", e.instruction(),
                        "input", e.input(), "output", e.output()))).append('\n');
            }
        }
        String batchId = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            HttpResponse<String> accepted = upload(DemoProfile.DATASET, "application/x-ndjson", extra.toString().getBytes(StandardCharsets.UTF_8));
            return accepted.statusCode() == 202 ? JSON.readTree(accepted.body()).path("batchId").asText() : null;
        }, java.util.Objects::nonNull);
        // the version sealed from the new upload (feedback rounds may seal versions of their own meanwhile)
        JsonNode sealed = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            for (JsonNode version : JSON.readTree(stack.get("formatter", "/api/v1/datasets/demo/versions").body())) {
                for (JsonNode source : version.path("sourceBatches")) {
                    if (source.asText().equals(batchId)) {
                        return version;
                    }
                }
            }
            return null;
        }, java.util.Objects::nonNull);
        JsonNode v1 = JSON.readTree(stack.get("formatter", "/api/v1/datasets/demo/versions/1").body());
        // the old records once each, the new ones added: nothing lost or doubled across the restart. Counted per
        // batch by the reconciliation (records, not examples: temperature mixing redistributes examples over
        // tasks when a task is added)
        assertThat(sealed.path("round").asInt()).isZero();
        assertThat(sealed.path("sourceBatches")).hasSize(2);
        assertThat(sealed.path("taskCounts").path("add_more").asLong()).isPositive();
        JsonNode reconciliation = JSON.readTree(stack.get("formatter", "/api/v1/datasets/demo/reconciliation").body());
        List<String> uploads = new ArrayList<>();
        v1.path("sourceBatches").forEach(b -> uploads.add(b.asText()));
        uploads.add(batchId);
        for (String upload : uploads) {
            JsonNode batch = null;
            for (JsonNode b : reconciliation.path("batches")) {
                batch = b.path("batchId").asText().equals(upload) ? b : batch;
            }
            assertThat(batch).as(upload + " in " + reconciliation).isNotNull();
            assertThat(batch.path("state").asText()).as(upload).isEqualTo("SEALED");
            assertThat(batch.path("sealed").asLong()).as(upload).isEqualTo(batch.path("accepted").asLong()).isPositive();
        }
        awaitReport(PROFILE.runId(sealed.path("version").asInt()) + "/shard-" + (PROFILE.shards() - 1));
    }

    /**
     * The S3 server SIGKILLed (and restarted 8 s later) at two points of a run: while its first shard
     * trains (the checkpoint write meets the outage) and while eval writes the report of a checkpoint.
     * Each run completes with the per-step losses of an uninterrupted run of the same spec and seed,
     * and every checkpoint's report equals the uninterrupted run's.
     */
    @Test
    @Order(7)
    void aStoreKilledWhileCheckpointsAndReportsAreWrittenChangesNoResult() throws Exception {
        String run = "{\"runId\": \"%s\", \"baseModel\": \"" + DemoProfile.MODEL + "\", \"dataset\": \"demo\","
                + " \"datasetVersion\": 2, \"mode\": \"full\", \"totalSteps\": 4, \"shardSteps\": 2, \"batchSize\": 4, \"seed\": 9}";
        post("trainer", "/api/v1/runs", run.formatted("store-steady"), 201);
        awaitRun("store-steady", "SUCCEEDED");
        List<JsonNode> steadyReports = List.of(awaitReport("store-steady/shard-0"), awaitReport("store-steady/shard-1"));

        // kill point 1: the first shard is training, its checkpoint not sealed yet
        post("trainer", "/api/v1/runs", run.formatted("store-killed-training"), 201);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).until(() ->
                JSON.readTree(stack.get("trainer", "/api/v1/runs/store-killed-training").body()).path("state").asText()
                        .equals("RUNNING"));
        killStoreFor(Duration.ofSeconds(8));
        // kill point 2: eval is evaluating a checkpoint, its report not written yet
        post("trainer", "/api/v1/runs", run.formatted("store-killed-report"), 201);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).until(() ->
                stack.get("eval", "/api/v1/checkpoints/store-killed-report/shard-0").body().contains("\"PENDING\""));
        killStoreFor(Duration.ofSeconds(8));

        List<Double> steady = losses("store-steady");
        for (String killed : List.of("store-killed-training", "store-killed-report")) {
            awaitRun(killed, "SUCCEEDED");
            List<Double> interrupted = losses(killed);
            assertThat(interrupted).as(killed + " losses").hasSize(4).hasSameSizeAs(steady);
            for (int i = 0; i < steady.size(); i++) {
                assertThat(interrupted.get(i)).as(killed + " step " + i)
                        .isCloseTo(steady.get(i), org.assertj.core.api.Assertions.within(1e-5));
            }
            for (int shard = 0; shard < 2; shard++) {
                JsonNode report = awaitReport(killed + "/shard-" + shard);
                assertThat(report.path("suites")).as(killed + " shard " + shard).isEqualTo(steadyReports.get(shard).path("suites"));
                assertThat(report.path("prompts").asLong()).isEqualTo(steadyReports.get(shard).path("prompts").asLong());
            }
        }
    }

    /**
     * The broker SIGKILLed while raters post: every rating a client was told about is on the ratings
     * topic, and no rating (id, version) is there twice.
     */
    @Test
    @Order(8)
    void aBrokerKilledUnderRatingLoadLosesAndDuplicatesNoRating() throws Exception {
        String dataset = "load-broker";
        int itemCount = 30;
        publishItemsForLoad(dataset, itemCount);
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger posted = new AtomicInteger();
        RaterLoad load = RaterLoad.start("broker-rater-", 3, dataset, acknowledged, posted);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20)).until(() -> posted.get() >= 20);
        stack.killHard("kafka");
        Thread.sleep(3_000);
        assertThat(stack.tuneloop("local", "up", "kafka").exitCode()).isZero();
        load.finish();
        assertEveryAcknowledgedRatingOnceOnTheTopic(dataset, acknowledged, itemCount);
    }

    /**
     * The S3 server is down when an admin starts a round: the export cannot be written, the call gets
     * 503 with Retry-After, the client's retry after the store is back exports the round, and the round
     * is requested and sealed exactly once.
     */
    @Test
    @Order(9)
    void aStoreDownDuringARoundExportRequestsAndSealsTheRoundOnce() throws Exception {
        String dataset = "exported";
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            records.append(JSON.writeValueAsString(Map.of("instruction", "Name the number " + i + " in words.",
                    "output", "number " + i))).append('\n');
        }
        assertThat(upload(dataset, "application/x-ndjson", records.toString().getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() ->
                JSON.readTree(stack.get("formatter", "/api/v1/datasets/" + dataset + "/versions").body()).size() == 1);
        int items = 3; // 3 items x 3 raters stays under the policy's automatic threshold: the admin starts the round
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int i = 0; i < items; i++) {
                // review-pool items: only those may become training data
                ReviewItem item = new ReviewItem(dataset + "/item-" + i, "exported-run/shard-0", "exported-run", 0, dataset, 1,
                        "review", "numbers", "Name the number " + (100 + i) + " in words.", "number " + (100 + i), null, 0.5,
                        Instant.now());
                producer.send(new ProducerRecord<>(Topics.REVIEW_ITEMS.name(), dataset, EventJson.toBytes(item))).get();
            }
        }
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        for (int r = 0; r < DemoProfile.OVERLAP; r++) {
            rateAll(dataset, token("export-rater-" + r, "rater"), acknowledged, new AtomicInteger());
        }
        assertThat(acknowledged).hasSize(items * DemoProfile.OVERLAP);

        String admin = token("export-admin", "admin");
        stack.killHard("s3");
        HttpRequest start = HttpRequest.newBuilder(stack.url("feedback", "/api/v1/admin/rounds"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dataset\": \"" + dataset + "\"}")).build();
        HttpResponse<String> refused = send(start);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        Thread.sleep(8_000);
        assertThat(stack.tuneloop("local", "up", "s3").exitCode()).isZero();
        HttpResponse<String> started = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2))
                .until(() -> send(start), r -> r.statusCode() != 503);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String requestId = JSON.readTree(started.body()).path("requestId").asText();

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode versions = JSON.readTree(stack.get("formatter", "/api/v1/datasets/" + dataset + "/versions").body());
            assertThat(versions).hasSize(2);
            assertThat(versions.get(1).path("round").asInt()).isEqualTo(1);
            assertThat(versions.get(1).path("recordCount").asLong()).isEqualTo(30 + items);
        });
        long requests = readAll(Topics.ROUND_REQUESTS.name()).stream()
                .filter(r -> jsonOrEmpty(r.value()).path("requestId").asText().equals(requestId))
                .count();
        assertThat(requests).as("round requests on the topic").isEqualTo(1);
        HttpResponse<String> again = send(start);
        assertThat(again.statusCode()).as("the round was requested: a second start is refused (no items wait for a"
                + " round) " + again.body()).isEqualTo(404);
    }

    /** A topic record's JSON, or an empty object for the garbage the bad-input test sent. */
    private static JsonNode jsonOrEmpty(byte[] value) {
        try {
            return value == null ? JSON.createObjectNode() : JSON.readTree(value);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private void killStoreFor(Duration down) throws Exception {
        stack.killHard("s3");
        Thread.sleep(down.toMillis());
        assertThat(stack.tuneloop("local", "up", "s3").exitCode()).isZero();
    }

    private static void awaitRun(String runId, String state) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(JSON.readTree(stack.get("trainer", "/api/v1/runs/" + runId).body()).path("state").asText())
                        .as(runId).isEqualTo(state));
    }

    private static List<Double> losses(String runId) throws Exception {
        List<Double> losses = new ArrayList<>();
        for (JsonNode step : JSON.readTree(stack.get("trainer", "/api/v1/runs/" + runId + "/steps").body())) {
            losses.add(step.path("loss").asDouble());
        }
        return losses;
    }

    // ------------------------------------------------------------------------------------ helpers

    private static void rateAll(String dataset, String token, Map<String, String> acknowledged, AtomicInteger posted) {
        JsonNode assignment = retrying(() -> send(HttpRequest.newBuilder(stack.url("feedback", "/api/v1/queue/next?dataset=" + dataset))
                .header("Authorization", "Bearer " + token).build()));
        while (assignment != null) {
            String itemId = assignment.path("item").path("itemId").asText();
            String key = "k-" + Integer.toHexString((token + itemId).hashCode());
            HttpRequest request = HttpRequest.newBuilder(stack.url("feedback", "/api/v1/queue/"
                            + StackClient.segment(itemId) + "/rating?next=true&dataset=" + dataset))
                    .header("Authorization", "Bearer " + token).header("Idempotency-Key", key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"likert\": 4}")).build();
            HttpResponse<String> answer = retryingResponse(() -> send(request));
            posted.incrementAndGet();
            if (answer.statusCode() == 200 || answer.statusCode() == 201) {
                JsonNode body = read(answer.body());
                acknowledged.put(body.path("rating").path("ratingId").asText(), itemId);
                assignment = body.path("next").isObject() ? body.path("next") : null;
            } else {
                // the lease died with the killed instance and the rating never reached the topic: ask again
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(409);
                assignment = retrying(() -> send(HttpRequest.newBuilder(stack.url("feedback", "/api/v1/queue/next?dataset=" + dataset))
                        .header("Authorization", "Bearer " + token).build()));
            }
        }
    }

    private interface Call {
        HttpResponse<String> call() throws Exception;
    }

    /** A client that keeps retrying while the service is down (connection refused, 503). */
    private static HttpResponse<String> retryingResponse(Call call) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (true) {
            try {
                HttpResponse<String> response = call.call();
                if (response.statusCode() != 503) {
                    return response;
                }
                RETRIED.incrementAndGet();
            } catch (ConnectException e) {
                RETRIED.incrementAndGet(); // down: retry below
            } catch (IOException e) {
                RETRIED.incrementAndGet(); // cut off mid-request: retry with the same idempotency key
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the feedback service did not come back");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static JsonNode retrying(Call call) {
        HttpResponse<String> response = retryingResponse(call);
        return response.statusCode() == 204 ? null : read(response.body()).path("item").isObject() ? read(response.body()) : null;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(json, e);
        }
    }

    private static JsonNode awaitReport(String checkpointId) throws Exception {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() ->
                stack.get("eval", "/api/v1/reports/" + checkpointId).statusCode() == 200);
        return JSON.readTree(stack.get("eval", "/api/v1/reports/" + checkpointId).body());
    }

    private static Set<String> ratingRefsOnTopic() throws IOException {
        Set<String> refs = new HashSet<>();
        for (ConsumerRecord<String, byte[]> record : readAll(Topics.RATINGS.name())) {
            JsonNode rating = JSON.readTree(record.value());
            refs.add(rating.path("ratingId").asText() + "@" + rating.path("version").asInt());
        }
        return refs;
    }

    /** Every committed record of a topic, up to its end now. */
    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plusSeconds(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** A token of the demo's team. */
    private static String token(String user, String role) {
        return stack.token(user, DemoProfile.TEAM, role);
    }

    private static void assertRefused(HttpResponse<String> response, int... statuses) {
        assertThat(statuses).as("status of " + response.uri() + ": " + response.body()).contains(response.statusCode());
        // 413 comes from the HTTP layer before any resource: its status line is the reason
        if (response.statusCode() >= 400 && response.statusCode() != 413) {
            assertThat(response.body()).as("a reason for " + response.uri()).containsPattern("\"(error|reason|message)\"\\s*:\\s*\"[^\"]{5,}");
        }
    }

    private static HttpResponse<String> upload(String dataset, String contentType, byte[] body) throws Exception {
        return send(HttpRequest.newBuilder(stack.url("ingest", "/api/v1/datasets/" + dataset + "/uploads?filename=loop-it.jsonl"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private static HttpResponse<String> put(String service, String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(stack.url(service, path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static HttpResponse<String> post(String service, String path, String json, int expected) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(stack.url(service, path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
        if (expected > 0) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
        }
        return response;
    }

    private static HttpResponse<String> rate(String path, String token, String json) throws Exception {
        return send(HttpRequest.newBuilder(stack.url("feedback", path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).header("Idempotency-Key", "bad-" + json.hashCode())
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** Sends {@code request}; one that names no token goes as the stack's admin (of the demo's team). */
    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return stack.send(request);
    }
}
