package io.tuneloop.trainer;

import io.tuneloop.tokens.Roles;
import io.tuneloop.testing.TestTokens;
import io.tuneloop.testing.RouteAuthorisation;
import io.restassured.RestAssured;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Service;
import io.tuneloop.events.Topics;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.model.generate.GenerationConfig;
import io.tuneloop.model.generate.Generator;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.testing.TestKafka;
import io.tuneloop.testing.TestStack;
import io.tuneloop.testing.TuneloopStackResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Runs through the real broker and S3 server: a tiny model and a tokenized dataset version are put
 * in the store, a run of several shards is started over HTTP, every shard trains on DJL, checkpoints
 * are sealed and announced, and the final model loads in the model library and generates.
 */
@QuarkusTest
@QuarkusTestResource(TuneloopStackResource.class)
class TrainerServiceIT {
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String DATASET = "trainer-" + SUFFIX;
    private static final String MODEL = "tiny-" + SUFFIX;

    /** Calls name no token unless a test is about tokens: they go as an admin of the test team. */
    @BeforeAll
    static void asAdmin() {
        TestTokens.asAdminByDefault();
    }

    @BeforeAll
    static void storeAModelAndADatasetVersion() throws Exception {
        Path dir = Files.createTempDirectory("tiny-model");
        TinyRuns.model(dir);
        byte[] train = TinyRuns.shard(dir, "train", 0, 24);
        byte[] validation = TinyRuns.shard(dir, "validation", 100, 6);
        try (ArtifactStore store = TestStack.get().openStore(); Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                store.putFile(Artifacts.MODEL.prefix(MODEL) + file.getFileName(), file, null);
                store.putFile(Artifacts.MODEL.prefix("tiny-policy") + file.getFileName(), file, null);
            }
            for (String dataset : List.of(DATASET, "policy-ds")) {
                String version = Artifacts.DATASET_VERSION.prefix(new Artifacts.Version(dataset, 1));
                store.putBytes(version + "train-00000.jsonl", train, null);
                store.putBytes(version + "validation-00000.jsonl", validation, null);
                DatasetManifest manifest = TinyRuns.manifest(dataset, 1, MODEL, train, validation, 24, 6);
                store.putBytes(Artifacts.DATASET_MANIFEST.key(new Artifacts.Version(dataset, 1)), EventJson.toBytes(manifest), null);
            }
            // the datasets are team-a's, as their first upload would have made them
            for (String dataset : List.of(DATASET, "policy-ds")) {
                Artifacts.DATASET_OWNER.write(store, dataset, new Artifacts.DatasetOwner(dataset, "team-a", "test", Instant.now()));
            }
            // a version without token ids (built without a model)
            store.putBytes(Artifacts.DATASET_MANIFEST.key(new Artifacts.Version(DATASET, 2)), EventJson.toBytes(new DatasetManifest(DATASET, 2,
                    0, io.tuneloop.events.dataset.DatasetSpec.defaults(), "t", List.of("b"), 1, Map.of("train", 1L),
                    Map.of(), Map.of(), Map.of(), Map.of(), List.of(), "c", Instant.now())), null);
        }
    }

    private static String spec(String runId, String extra) {
        return """
                {"runId": "%s", "baseModel": "%s", "dataset": "%s", "datasetVersion": 1, "totalSteps": 6,
                 "shardSteps": 2, "batchSize": 4, "seed": 3, "optimizer": {"learningRate": 0.01}%s}
                """.formatted(runId, MODEL, DATASET, extra);
    }

    @Test
    void everyRouteNeedsATokenAndARoleThatMayUseIt() throws Exception {
        RouteAuthorisation.Checked checked = RouteAuthorisation.checkEveryRoute();
        assertThat(checked.routes()).extracting(RouteAuthorisation.Route::toString).contains(
                "POST /api/v1/runs [trainer]", "POST /api/v1/runs/{runId}/cancel [trainer]",
                "POST /api/v1/runs/{runId}/resume [trainer]");
        assertThat(checked.forbidden()).isPositive();
    }

    @Test
    void aRunBelongsToItsDatasetsTeamAndItsLineageNamesWhoStartedIt() {
        String runId = "owned-" + UUID.randomUUID().toString().substring(0, 8);
        String tom = TestTokens.of("tom", "team-a", Roles.TRAINER);
        String eve = TestTokens.of("eve", "team-b", Roles.TRAINER);
        given().auth().oauth2(eve).contentType(ContentType.JSON).body(spec(runId, "")).post("/api/v1/runs")
                .then().statusCode(404).body("error", containsString("no dataset"));
        given().auth().oauth2(TestTokens.of("vic", "team-a", Roles.VIEWER)).contentType(ContentType.JSON)
                .body(spec(runId, "")).post("/api/v1/runs").then().statusCode(403);
        given().auth().oauth2(tom).contentType(ContentType.JSON).body(spec(runId, ", \"startedBy\": \"someone-else\""))
                .post("/api/v1/runs").then().statusCode(400).body("error", containsString("startedBy"));
        given().auth().oauth2(tom).contentType(ContentType.JSON).body(spec(runId, "")).post("/api/v1/runs")
                .then().statusCode(201).body("spec.startedBy", equalTo("tom"));
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                given().get("/api/v1/runs/{id}", runId).then().statusCode(200).body("state", equalTo("SUCCEEDED")));
        given().auth().oauth2(TestTokens.of("vic", "team-a", Roles.VIEWER))
                .get("/api/v1/runs/{id}/checkpoints/final/lineage", runId).then().statusCode(200)
                .body("run.startedBy", equalTo("tom"));

        String eveViewer = TestTokens.of("eve-viewer", "team-b", Roles.VIEWER);
        given().auth().oauth2(eveViewer).get("/api/v1/runs/{id}", runId).then().statusCode(404);
        given().auth().oauth2(eveViewer).get("/api/v1/runs/{id}/steps", runId).then().statusCode(404);
        given().auth().oauth2(eveViewer).get("/api/v1/runs/{id}/checkpoints/final/lineage", runId).then().statusCode(404);
        given().auth().oauth2(eve).post("/api/v1/runs/{id}/cancel", runId).then().statusCode(404);
        assertThat(given().auth().oauth2(eveViewer).get("/api/v1/runs").then().statusCode(200).extract().asString())
                .doesNotContain(runId);
        assertThat(given().auth().oauth2(eveViewer).get("/api/v1/dataset-versions").then().statusCode(200).extract()
                .asString()).doesNotContain(DATASET);
    }

    @Test
    void aCallerWithTooManyRunsInFlightIsRefusedWithRetryAfter() {
        String greedy = TestTokens.of("greedy-" + UUID.randomUUID().toString().substring(0, 6), "team-a", Roles.TRAINER);
        List<String> started = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String runId = "greedy-" + UUID.randomUUID().toString().substring(0, 8);
            given().auth().oauth2(greedy).contentType(ContentType.JSON)
                    .body(spec(runId, "").replace("\"totalSteps\": 6", "\"totalSteps\": 1200"))
                    .post("/api/v1/runs").then().statusCode(201);
            started.add(runId);
        }
        var refused = given().auth().oauth2(greedy).contentType(ContentType.JSON)
                .body(spec("greedy-third-" + UUID.randomUUID().toString().substring(0, 6), "")).post("/api/v1/runs");
        assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isNotBlank();
        assertThat(refused.jsonPath().getString("error")).contains("2 runs in flight");
        for (String runId : started) {
            given().auth().oauth2(greedy).post("/api/v1/runs/{id}/cancel", runId).then().statusCode(200)
                    .body("message", containsString("cancelled on request by greedy-"));
        }
    }

    @Test
    void aRunOfSeveralShardsCompletesItsLossFallsAndItsFinalModelGenerates() throws Exception {
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON).body(spec(runId, "")).post("/api/v1/runs")
                .then().statusCode(201).body("shardCount", equalTo(3)).body("spec.lora.targets[0]", equalTo("q_proj"));

        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().get("/api/v1/runs/{id}", runId).then().statusCode(200).body("state", equalTo("SUCCEEDED")));

        List<Checkpoint> announced = TestKafka.awaitRecords(Topics.CHECKPOINTS.name(), r -> runId.equals(r.key()), 3,
                Duration.ofSeconds(30)).stream().map(r -> EventJson.fromBytes(r.value(), Checkpoint.class)).toList();
        assertThat(announced).extracting(Checkpoint::shardIndex).containsExactly(0, 1, 2);
        assertThat(announced.get(2).last()).isTrue();
        assertThat(announced.get(2).validationLoss()).isNotNull();

        double[] losses = given().get("/api/v1/runs/{id}/steps", runId).then().statusCode(200).extract()
                .jsonPath().getList("loss", Double.class).stream().mapToDouble(Double::doubleValue).toArray();
        assertThat(losses).hasSize(6);
        assertThat(losses[5]).isLessThan(losses[0]);

        Path merged = Files.createTempDirectory("merged");
        try (ArtifactStore store = TestStack.get().openStore()) {
            String prefix = Artifacts.RUN_FINAL.prefix(runId);
            assertThat(store.exists(prefix + "manifest.json")).isTrue();
            assertThat(store.exists(prefix + "adapter/adapter_config.json")).isTrue();
            for (var object : store.list(prefix + "merged/")) {
                try (InputStream in = store.get(object.key())) {
                    Files.copy(in, merged.resolve(object.key().substring((prefix + "merged/").length())));
                }
            }
        }
        assertThat(TinyRuns.answer(merged, 2, 3)).isNotEmpty();
        given().get("/q/metrics").then().body(containsString("tuneloop_trainer_step_duration"))
                .body(containsString("tuneloop_trainer_checkpoint_bytes"));
    }

    @Test
    void aCancelledRunStopsWithoutACheckpointAndResumesToTheEnd() {
        String runId = "cancel-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON).body(spec(runId, "").replace("\"totalSteps\": 6", "\"totalSteps\": 1200")
                .replace("\"shardSteps\": 2", "\"shardSteps\": 600")).post("/api/v1/runs").then().statusCode(201);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/api/v1/runs/{id}", runId).then().body("state", equalTo("RUNNING")));
        given().post("/api/v1/runs/{id}/cancel", runId).then().statusCode(200).body("state", equalTo("CANCELLED"));
        // the shard notices within seconds and stops without sealing a checkpoint
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var progress = TestKafka.awaitRecord(Topics.TRAINING_PROGRESS.name(), r -> runId.equals(r.key())
                    && new String(r.value()).contains("\"state\":\"CANCELLED\""), Duration.ofSeconds(5));
            assertThat(progress).isNotNull();
        });
        try (ArtifactStore store = TestStack.get().openStore()) {
            assertThat(store.exists(Artifacts.CHECKPOINT.prefix(new Artifacts.CheckpointRef(runId, 0)) + "manifest.json")).isFalse();
        }
        given().post("/api/v1/runs/{id}/resume", runId).then().statusCode(200).body("state", equalTo("PLANNED"));
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().get("/api/v1/runs/{id}", runId).then().body("state", equalTo("SUCCEEDED")));
        given().get("/api/v1/runs/{id}/steps", runId).then().body("size()", equalTo(1200));
    }

    @Test
    void aPolicyStartsARunForEveryNewVersionOfItsDatasetOnce() {
        DatasetVersion version = new DatasetVersion("policy-ds", 1, Artifacts.DATASET_MANIFEST.key(new Artifacts.Version("policy-ds", 1)), 30,
                Map.of("train", 24L), List.of("b"), "sum", 0, Instant.now());
        TestKafka.send(Topics.DATASET_VERSIONS, "policy-ds", version);
        TestKafka.send(Topics.DATASET_VERSIONS, "policy-ds", version); // redelivered: still one run
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().get("/api/v1/runs/{id}", "auto-policy-ds-v1").then().statusCode(200)
                        .body("state", equalTo("SUCCEEDED")).body("spec.totalSteps", equalTo(2)));
    }

    @Test
    void badSpecsAreRefusedWithTheirReason() {
        given().contentType(ContentType.JSON).body(spec("bad-1", "").replace("\"datasetVersion\": 1", "\"datasetVersion\": 9"))
                .post("/api/v1/runs").then().statusCode(400).body("error", containsString("unknown dataset version"));
        given().contentType(ContentType.JSON).body(spec("bad-2", "").replace("\"datasetVersion\": 1", "\"datasetVersion\": 2"))
                .post("/api/v1/runs").then().statusCode(400).body("error", containsString("no token ids"));
        given().contentType(ContentType.JSON).body(spec("bad-3", ", \"lora\": {\"targets\": [\"c_attn\"]}"))
                .post("/api/v1/runs").then().statusCode(400).body("error", containsString("LoRA target c_attn does not exist"));
        given().contentType(ContentType.JSON).body(spec("bad-4", ", \"maxSeqLength\": 100000"))
                .post("/api/v1/runs").then().statusCode(400).body("error", containsString("beyond the model's context"));
        given().contentType(ContentType.JSON).body(spec("bad-5", ", \"batchSize\": 4096, \"maxSeqLength\": 256, \"mode\": \"full\""))
                .post("/api/v1/runs").then().statusCode(400).body("error", containsString("MiB are available"));
        given().contentType(ContentType.JSON).body(spec("Not Valid", "")).post("/api/v1/runs")
                .then().statusCode(400).body("error", containsString("runId"));
        given().contentType(ContentType.JSON).body("{\"runId\": ").post("/api/v1/runs").then().statusCode(400);
        given().get("/api/v1/runs/{id}", "nope").then().statusCode(404);
    }

    @Test
    void announcedVersionsAreCheckedAgainstTheStore() {
        TestKafka.send(Topics.DATASET_VERSIONS, DATASET, new DatasetVersion(DATASET, 1,
                Artifacts.DATASET_MANIFEST.key(new Artifacts.Version(DATASET, 1)), 30, Map.of("train", 24L), List.of("b"), "sum", 0, Instant.now()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/v1/dataset-versions").then()
                .body(containsString(DATASET)));

        String ghost = "ghost-" + SUFFIX;
        TestKafka.send(Topics.DATASET_VERSIONS, ghost, new DatasetVersion(ghost, 3, Artifacts.DATASET_MANIFEST.key(new Artifacts.Version(ghost, 3)),
                1, Map.of(), List.of("b"), "sum", 0, Instant.now()));
        var dead = TestKafka.awaitRecord(Topics.DATASET_VERSIONS.deadLetterTopic(Service.TRAINER),
                r -> ghost.equals(r.key()), Duration.ofSeconds(60));
        assertThat(TestKafka.header(dead, "dead-letter-reason")).contains("does not exist");
    }
}
