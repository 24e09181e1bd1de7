package io.tuneloop.eval;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tuneloop.events.Service;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.store.ArtifactLayout;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.testing.TestKafka;
import io.tuneloop.testing.TestStack;
import io.tuneloop.testing.TuneloopStackResource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@QuarkusTestResource(TuneloopStackResource.class)
class EvalServiceIT {

    private static Checkpoint checkpoint(String runId) {
        String prefix = ArtifactLayout.checkpointPrefix(runId, 0);
        return new Checkpoint(runId + "/shard-0", runId, 0, 4, prefix, prefix + ArtifactLayout.MANIFEST, "tiny",
                "demo", 1, 0, 2.5, null, false, Instant.now());
    }

    @Test
    void completeCheckpointsAreTakenInAndRedeliveryIsRecognised() {
        String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
        Checkpoint checkpoint = checkpoint(runId);
        try (ArtifactStore store = TestStack.get().openStore()) {
            store.putBytes(checkpoint.manifestKey(), "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        }
        TestKafka.send(Topics.CHECKPOINTS, runId, checkpoint);
        TestKafka.send(Topics.CHECKPOINTS, runId, checkpoint);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .get("/api/v1/checkpoints/{run}/{shard}", runId, "shard-0").then()
                .statusCode(200).body("state", equalTo("PENDING")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then()
                .body(org.hamcrest.Matchers.containsString("tuneloop_eval_checkpoints_redelivered_total")));
    }

    @Test
    void aCheckpointWithoutItsManifestIsDeadLettered() {
        String runId = "partial-" + UUID.randomUUID().toString().substring(0, 8);
        TestKafka.send(Topics.CHECKPOINTS, runId, checkpoint(runId));
        var dead = TestKafka.awaitRecord(Topics.CHECKPOINTS.deadLetterTopic(Service.EVAL), r -> runId.equals(r.key()),
                Duration.ofSeconds(60));
        assertThat(TestKafka.header(dead, "dead-letter-reason")).contains("does not exist");
        given().get("/api/v1/checkpoints/{run}/{shard}", runId, "shard-0").then().statusCode(404);
    }
}
