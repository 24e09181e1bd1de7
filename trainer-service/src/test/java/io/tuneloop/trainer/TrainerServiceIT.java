package io.tuneloop.trainer;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Service;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.TrainingProgress;
import io.tuneloop.events.payload.TrainingShard;
import io.tuneloop.store.ArtifactLayout;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.testing.TestKafka;
import io.tuneloop.testing.TestStack;
import io.tuneloop.testing.TuneloopStackResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@QuarkusTestResource(TuneloopStackResource.class)
class TrainerServiceIT {
    private static final String DATASET = "trainer-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void sealADatasetVersionAndABaseModel() {
        try (ArtifactStore store = TestStack.get().openStore()) {
            store.putBytes(ArtifactLayout.datasetManifest(DATASET, 1), "{}".getBytes(StandardCharsets.UTF_8), null);
            store.putBytes(ArtifactLayout.modelPrefix("tiny") + "config.json", "{}".getBytes(StandardCharsets.UTF_8), null);
        }
    }

    private static DatasetVersion version(String dataset, int v) {
        return new DatasetVersion(dataset, v, ArtifactLayout.datasetManifest(dataset, v), 10, Map.of("train", 10L),
                List.of("b"), "sum", 0, Instant.now());
    }

    private static String spec(String runId, int datasetVersion) {
        return """
                {"runId": "%s", "baseModel": "tiny", "dataset": "%s", "datasetVersion": %d, "totalSteps": 10, "shardSteps": 4}
                """.formatted(runId, DATASET, datasetVersion);
    }

    @Test
    void announcedVersionsAreCheckedAgainstTheStore() {
        TestKafka.send(Topics.DATASET_VERSIONS, DATASET, version(DATASET, 1));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/v1/dataset-versions").then()
                .body(containsString(DATASET)));

        String ghost = "ghost-" + UUID.randomUUID().toString().substring(0, 8);
        TestKafka.send(Topics.DATASET_VERSIONS, ghost, version(ghost, 3));
        var dead = TestKafka.awaitRecord(Topics.DATASET_VERSIONS.deadLetterTopic(Service.TRAINER),
                r -> ghost.equals(r.key()), Duration.ofSeconds(60));
        assertThat(TestKafka.header(dead, "dead-letter-reason")).contains("does not exist");
    }

    @Test
    void aRunIsValidatedPlannedAndItsFirstShardSentAndReceived() {
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON).body(spec(runId, 1)).post("/api/v1/runs")
                .then().statusCode(201).body("shardCount", equalTo(3)).body("state", equalTo("PLANNED"));

        var shardRecord = TestKafka.awaitRecord(Topics.TRAINING_SHARDS.name(), r -> runId.equals(r.key()), Duration.ofSeconds(30));
        TrainingShard shard = EventJson.fromBytes(shardRecord.value(), TrainingShard.class);
        assertThat(shard.shardIndex()).isZero();
        assertThat(shard.toStep()).isEqualTo(4);
        assertThat(shard.specKey()).isEqualTo(ArtifactLayout.runSpec(runId));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/api/v1/runs/{id}", runId).then()
                .statusCode(200).body("state", equalTo("QUEUED")));
        var progress = TestKafka.awaitRecord(Topics.TRAINING_PROGRESS.name(), r -> runId.equals(r.key()), Duration.ofSeconds(30));
        assertThat(EventJson.fromBytes(progress.value(), TrainingProgress.class).totalSteps()).isEqualTo(10);

        given().contentType(ContentType.JSON).body(spec(runId, 1)).post("/api/v1/runs")
                .then().statusCode(409).body("error", containsString("already exists"));
    }

    @Test
    void invalidRunsAreRefusedWithTheReason() {
        given().contentType(ContentType.JSON).body(spec("run-x", 9)).post("/api/v1/runs")
                .then().statusCode(400).body("error", containsString("unknown dataset version"));
        given().contentType(ContentType.JSON).body(spec("Not Valid", 1)).post("/api/v1/runs")
                .then().statusCode(400).body("error", containsString("runId"));
        given().contentType(ContentType.JSON).body("{\"runId\": ").post("/api/v1/runs").then().statusCode(400);
        given().get("/api/v1/runs/{id}", "nope").then().statusCode(404);
    }
}
