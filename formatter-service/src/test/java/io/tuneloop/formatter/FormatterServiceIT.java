package io.tuneloop.formatter;

import org.junit.jupiter.api.BeforeAll;
import io.tuneloop.tokens.Roles;
import io.tuneloop.testing.TestTokens;
import io.tuneloop.testing.RouteAuthorisation;
import io.restassured.RestAssured;
import io.tuneloop.store.Artifacts;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RoundRequest;
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
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;

/**
 * The walking skeleton's first leg, through a real broker and a real S3 server: raw records
 * produced by a plain Kafka client reach the formatter, which seals a version whose manifest
 * exists in the object store and announces it on dataset-versions.
 */
@QuarkusTest
@QuarkusTestResource(TuneloopStackResource.class)
class FormatterServiceIT {
    /** Calls name no token unless a test is about tokens: they go as an admin of the test team. */
    @BeforeAll
    static void asAdmin() {
        TestTokens.asAdminByDefault();
    }

    @Test
    void everyRouteNeedsATokenAndARoleThatMayUseIt() throws Exception {
        RouteAuthorisation.Checked checked = RouteAuthorisation.checkEveryRoute();
        assertThat(checked.routes()).extracting(RouteAuthorisation.Route::toString).contains(
                "PUT /api/v1/datasets/{dataset}/spec [data]", "POST /api/v1/templates/reload [data]",
                "POST /api/v1/datasets/{dataset}/versions [data]");
        assertThat(checked.forbidden()).isPositive();
    }

    @Test
    void aDatasetsSpecAndVersionsAreItsTeamsAndEverySpecChangeNamesWhoMadeIt() {
        String dataset = "owned-" + UUID.randomUUID().toString().substring(0, 8);
        String dana = TestTokens.of("dana", "team-a", Roles.DATA);
        given().auth().oauth2(dana).contentType("application/json").body("{\"phrasingsPerRecord\": 2}")
                .put("/api/v1/datasets/{d}/spec", dataset).then().statusCode(200);
        given().auth().oauth2(TestTokens.of("eve", "team-b", Roles.DATA)).contentType("application/json").body("{}")
                .put("/api/v1/datasets/{d}/spec", dataset).then().statusCode(404);
        String eveViewer = TestTokens.of("eve-viewer", "team-b", Roles.VIEWER);
        given().auth().oauth2(eveViewer).get("/api/v1/datasets/{d}/spec", dataset).then().statusCode(404);
        given().auth().oauth2(eveViewer).get("/api/v1/datasets/{d}/versions", dataset).then().statusCode(404);
        given().auth().oauth2(eveViewer).get("/api/v1/datasets/{d}/preview", dataset).then().statusCode(404);
        given().auth().oauth2(TestTokens.of("vic", "team-a", Roles.VIEWER)).contentType("application/json").body("{}")
                .put("/api/v1/datasets/{d}/spec", dataset).then().statusCode(403);
        given().auth().oauth2(TestTokens.of("vic", "team-a", Roles.VIEWER)).get("/api/v1/datasets/{d}/spec", dataset)
                .then().statusCode(200).body("phrasingsPerRecord", org.hamcrest.Matchers.equalTo(2));
        try (var store = TestStack.get().openStore()) {
            var changes = Artifacts.DATASET_SPEC_CHANGE.list(store, dataset);
            assertThat(changes).hasSize(1);
            Artifacts.SpecChange change = Artifacts.DATASET_SPEC_CHANGE.read(store, changes.get(0));
            assertThat(change.changedBy()).isEqualTo("dana");
            assertThat(change.spec().phrasingsPerRecord()).isEqualTo(2);
        }

        // the version's event names the owning team and who sealed it (CloudEvents extension attributes)
        sendBatch(dataset, "batch-1", 3);
        var record = TestKafka.awaitRecord(Topics.DATASET_VERSIONS.name(), r -> dataset.equals(r.key()), Duration.ofSeconds(60));
        assertThat(TestKafka.header(record, "ce_team")).isEqualTo("team-a");
        assertThat(TestKafka.header(record, "ce_principal")).isEqualTo("service:formatter/sealing");
    }

    private static DatasetVersion awaitVersion(String dataset, int version) {
        var record = TestKafka.awaitRecord(Topics.DATASET_VERSIONS.name(), r -> dataset.equals(r.key())
                && EventJson.fromBytes(r.value(), DatasetVersion.class).version() == version, Duration.ofSeconds(60));
        assertThat(TestKafka.header(record, "ce_type")).isEqualTo(Topics.DATASET_VERSIONS.eventType());
        assertThat(TestKafka.header(record, "ce_source")).isEqualTo("/tuneloop/formatter");
        return EventJson.fromBytes(record.value(), DatasetVersion.class);
    }

    private static void sendBatch(String dataset, String batchId, int records) {
        for (int i = 0; i < records; i++) {
            TestKafka.send(Topics.RAW_RECORDS, dataset, TestRecords.raw(dataset, batchId, i));
        }
        TestKafka.send(Topics.INGEST_BATCHES, dataset, new IngestBatch(batchId, dataset, null, "plain-client",
                "alpaca", records, records, 0, 0, null, Instant.now()));
    }

    @Test
    void rawRecordsFromAPlainClientBecomeASealedVersionWhoseManifestExists() {
        String dataset = "skeleton-" + UUID.randomUUID();
        sendBatch(dataset, "batch-1", 5);

        DatasetVersion version = awaitVersion(dataset, 1);
        assertThat(version.recordCount()).isEqualTo(5);
        assertThat(version.sourceBatches()).containsExactly("batch-1");

        try (ArtifactStore store = TestStack.get().openStore()) {
            String manifest = new String(store.getBytes(version.manifestKey()), StandardCharsets.UTF_8);
            assertThat(manifest).contains("\"contentChecksum\":\"" + version.contentChecksum() + "\"");
            assertThat(store.list("datasets/" + dataset + "/v1/")).hasSizeGreaterThan(1);
        }

        given().get("/api/v1/datasets/{d}/versions", dataset).then().statusCode(200).body("$", hasSize(1));
        given().get("/api/v1/datasets/{d}/versions/7", dataset).then().statusCode(404);
    }

    @Test
    void aRedeliveredBatchIsNotSealedTwice() {
        String dataset = "redelivery-" + UUID.randomUUID();
        sendBatch(dataset, "batch-1", 3);
        DatasetVersion first = awaitVersion(dataset, 1);

        sendBatch(dataset, "batch-1", 3); // the same batch again, as after a producer retry
        sendBatch(dataset, "batch-2", 2); // a new batch after it, to know the redelivery was processed
        DatasetVersion second = awaitVersion(dataset, 2);

        // a version holds every complete batch of the dataset so far, each record once
        assertThat(second.sourceBatches()).containsExactly("batch-1", "batch-2");
        assertThat(second.recordCount()).isEqualTo(5);
        given().get("/api/v1/datasets/{d}/versions", dataset).then().statusCode(200).body("$", hasSize(2));
        assertThat(first.contentChecksum()).isNotEqualTo(second.contentChecksum());
    }

    @Test
    void poisonEventsGoToTheDeadLetterTopicWithTheirReasonAndTheChannelGoesOn() {
        String dataset = "poison-" + UUID.randomUUID();
        TestKafka.sendRaw(Topics.RAW_RECORDS.name(), dataset, "{not json".getBytes(StandardCharsets.UTF_8));
        TestKafka.sendRaw(Topics.RAW_RECORDS.name(), dataset, "{\"recordId\":\"x\"}".getBytes(StandardCharsets.UTF_8));

        var dead = TestKafka.awaitRecord(Topics.RAW_RECORDS.deadLetterTopic(io.tuneloop.events.Service.FORMATTER),
                r -> dataset.equals(r.key()) && "{not json".equals(new String(r.value(), StandardCharsets.UTF_8)),
                Duration.ofSeconds(60));
        assertThat(TestKafka.header(dead, "dead-letter-reason")).contains("malformed JSON for RawRecord");
        var invalid = TestKafka.awaitRecord(Topics.RAW_RECORDS.deadLetterTopic(io.tuneloop.events.Service.FORMATTER),
                r -> dataset.equals(r.key()) && new String(r.value(), StandardCharsets.UTF_8).contains("\"x\""),
                Duration.ofSeconds(60));
        assertThat(TestKafka.header(invalid, "dead-letter-reason")).contains("dataset is required");

        sendBatch(dataset, "after-poison", 2);
        assertThat(awaitVersion(dataset, 1).recordCount()).isEqualTo(2);
    }

    @Test
    void aRoundRequestSealsTheBaseVersionPlusTheFeedbackSamples() {
        String dataset = "round-" + UUID.randomUUID();
        sendBatch(dataset, "batch-1", 4);
        DatasetVersion base = awaitVersion(dataset, 1);

        String feedbackKey = Artifacts.ROUND_SAMPLES.key(new Artifacts.Round(dataset, 1));
        StringBuilder samples = new StringBuilder();
        for (int i = 100; i < 103; i++) {
            samples.append(EventJson.toJson(TestRecords.raw(dataset, "feedback-round-1", i))).append('\n');
        }
        try (ArtifactStore store = TestStack.get().openStore()) {
            store.putBytes(feedbackKey, samples.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        }
        RoundRequest request = new RoundRequest("req-" + UUID.randomUUID(), dataset, 1, 1, feedbackKey, 3,
                null, 0, null, "test", Instant.now());
        TestKafka.send(Topics.ROUND_REQUESTS, dataset, request);

        DatasetVersion next = awaitVersion(dataset, 2);
        assertThat(next.round()).isEqualTo(1);
        assertThat(next.recordCount()).isEqualTo(base.recordCount() + 3);
        assertThat(next.sourceBatches()).contains("batch-1", "round-request:" + request.requestId());

        TestKafka.send(Topics.ROUND_REQUESTS, dataset, new RoundRequest("req-bad", dataset, 1, 99, null, 0, null, 0, null, "test",
                Instant.now()));
        var dead = TestKafka.awaitRecord(Topics.ROUND_REQUESTS.deadLetterTopic(io.tuneloop.events.Service.FORMATTER),
                r -> dataset.equals(r.key()), Duration.ofSeconds(60));
        assertThat(TestKafka.header(dead, "dead-letter-reason")).contains("v99, which does not exist");
    }

    @Test
    void aSpecWithTheModelsTokenizerGivesTokenizedVersionsAndPreviews(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String dataset = "spec-" + UUID.randomUUID();
        String model = "tiny-" + UUID.randomUUID().toString().substring(0, 8);
        io.tuneloop.model.tokenizer.TinyTokenizerFactory.write(dir, java.util.List.of("Repeat the word 1 context word"),
                200, 256);
        try (ArtifactStore store = TestStack.get().openStore()) {
            for (String file : java.util.List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
                store.putFile(Artifacts.MODEL.prefix(model) + file, dir.resolve(file), "application/json");
            }
        }
        given().contentType("application/json").body("{\"model\": \"no-such-model\"}")
                .put("/api/v1/datasets/{d}/spec", dataset).then().statusCode(400).body(containsString("no-such-model"));
        given().contentType("application/json").body("{\"heldOutTemplates\": [\"nope\"]}")
                .put("/api/v1/datasets/{d}/spec", dataset).then().statusCode(400).body(containsString("nope"));
        given().contentType("application/json")
                .body("{\"model\": \"" + model + "\", \"phrasingsPerRecord\": 2, \"heldOutTasks\": [\"task-2\"],"
                        + " \"systemPrompt\": \"Be brief.\"}")
                .put("/api/v1/datasets/{d}/spec", dataset).then().statusCode(200)
                .body("chatFormat", org.hamcrest.Matchers.equalTo("model")).body("maxTokens", org.hamcrest.Matchers.equalTo(2048));

        sendBatch(dataset, "batch-1", 12);
        DatasetVersion version = awaitVersion(dataset, 1);
        assertThat(version.splitCounts()).containsKey("heldout_tasks");
        given().get("/api/v1/datasets/{d}/versions/1", dataset).then().statusCode(200)
                .body("spec.model", org.hamcrest.Matchers.equalTo(model))
                .body("tokenStats.train.learnedTokens", org.hamcrest.Matchers.greaterThan(0));

        given().get("/api/v1/datasets/{d}/preview?limit=2", dataset).then().statusCode(200)
                .body("$", hasSize(2))
                .body("[0].marked", containsString("[[LEARN]]"))
                .body("[0].text", containsString("<|im_start|>system\nBe brief.<|im_end|>"));

        // the same spec and batches: rebuilding returns the sealed version's content again
        given().post("/api/v1/datasets/{d}/versions", dataset).then().statusCode(201);
        DatasetVersion rebuilt = awaitVersion(dataset, 2);
        assertThat(rebuilt.contentChecksum()).isEqualTo(version.contentChecksum());
        given().post("/api/v1/datasets/{d}/versions", dataset).then().statusCode(201)
                .body("version", org.hamcrest.Matchers.equalTo(2));
        given().get("/api/v1/templates").then().statusCode(200).body(containsString("generic-01"));
    }

    @Test
    void healthMetricsAndOpenApiAreServed() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("object-store"));
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("tuneloop_formatter_records_pending"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/datasets/{dataset}/versions"));
    }
}
