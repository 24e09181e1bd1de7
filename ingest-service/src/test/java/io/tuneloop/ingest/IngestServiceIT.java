package io.tuneloop.ingest;

import org.junit.jupiter.api.BeforeAll;
import io.tuneloop.tokens.Roles;
import io.tuneloop.testing.TestTokens;
import io.tuneloop.testing.RouteAuthorisation;
import io.restassured.RestAssured;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Service;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.testing.TestKafka;
import io.tuneloop.testing.TestStack;
import io.tuneloop.testing.TuneloopStackResource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@QuarkusTestResource(TuneloopStackResource.class)
class IngestServiceIT {
    /** Calls name no token unless a test is about tokens: they go as an admin of the test team. */
    @BeforeAll
    static void asAdmin() {
        TestTokens.asAdminByDefault();
    }

    private static final Path SEED_TASKS = Path.of(System.getProperty("tuneloop.repo.root", "."))
            .resolve("../shared/data/self-instruct-seed-tasks.jsonl");

    private static IngestBatch awaitBatch(String dataset) {
        var record = TestKafka.awaitRecord(Topics.INGEST_BATCHES.name(), r -> dataset.equals(r.key()),
                Duration.ofSeconds(60));
        return EventJson.fromBytes(record.value(), IngestBatch.class);
    }

    @Test
    void theRealSelfInstructSeedTasksIngestCleanly() throws IOException {
        String dataset = "seed-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] file = Files.readAllBytes(SEED_TASKS);
        long instances = Files.readAllLines(SEED_TASKS).stream().filter(l -> !l.isBlank())
                .mapToLong(l -> EventJson.fromBytes(l.getBytes(StandardCharsets.UTF_8),
                        com.fasterxml.jackson.databind.JsonNode.class).get("instances").size()).sum();

        IngestBatch batch = given().contentType("application/x-ndjson").body(file)
                .queryParam("filename", "self-instruct-seed-tasks.jsonl")
                .post("/api/v1/datasets/{d}/uploads", dataset)
                .then().statusCode(202).extract().as(IngestBatch.class);

        assertThat(batch.recordsRejected()).isZero();
        assertThat(batch.recordsAccepted() + batch.recordsDuplicate()).isEqualTo(instances);
        assertThat(batch.sourceKey()).startsWith("raw/");
        assertThat(awaitBatch(dataset)).isEqualTo(batch);

        var first = TestKafka.awaitRecord(Topics.RAW_RECORDS.name(), r -> dataset.equals(r.key()), Duration.ofSeconds(30));
        RawRecord record = EventJson.fromBytes(first.value(), RawRecord.class);
        assertThat(record.sourceFormat()).isEqualTo("self-instruct");
        assertThat(record.task()).isNotBlank();
        assertThat(record.provenance().file()).isEqualTo("self-instruct-seed-tasks.jsonl");
        assertThat(record.provenance().line()).isPositive();
        assertThat(TestKafka.header(first, "ce_type")).isEqualTo(Topics.RAW_RECORDS.eventType());
    }

    @Test
    void badLinesAreQuarantinedWithReasonsAndGoodOnesKept() {
        String dataset = "mixed-" + UUID.randomUUID().toString().substring(0, 8);
        String body = """
                {"instruction": "Add.", "input": "1 2", "output": "3"}
                {"instruction": "Add.", "input": "1  2", "output": "3"}
                {"instruction": "broken"
                {"prompt": "p"}
                """;
        IngestBatch batch = given().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/{d}/uploads", dataset)
                .then().statusCode(202).extract().as(IngestBatch.class);
        assertThat(batch.recordsAccepted()).isEqualTo(1);
        assertThat(batch.recordsDuplicate()).isEqualTo(1);
        assertThat(batch.recordsRejected()).isEqualTo(2);

        String quarantine = given().get("/api/v1/datasets/{d}/uploads/{b}/quarantine", dataset, batch.batchId())
                .then().statusCode(200).extract().asString();
        assertThat(quarantine.lines()).hasSize(2);
        assertThat(quarantine).contains("\"line\":3").contains("malformed JSON")
                .contains("\"line\":4").contains("completion is missing");
    }

    @Test
    void csvWithAColumnMappingAndGzipAreIngested() throws Exception {
        String dataset = "csv-" + UUID.randomUUID().toString().substring(0, 8);
        String csv = "question,answer\nWhat is 2+2?,4\nCapital of France?,Paris\n";
        IngestBatch batch = given().contentType("text/csv").body(csv.getBytes(StandardCharsets.UTF_8))
                .queryParam("mapping", "instruction=question,output=answer")
                .post("/api/v1/datasets/{d}/uploads", dataset)
                .then().statusCode(202).extract().as(IngestBatch.class);
        assertThat(batch.recordsAccepted()).isEqualTo(2);
        assertThat(batch.sourceFormat()).isEqualTo("csv");

        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write("{\"instruction\": \"Zip me.\", \"output\": \"zipped\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        IngestBatch zipped = given().contentType("application/gzip").body(gz.toByteArray())
                .post("/api/v1/datasets/{d}/uploads", dataset)
                .then().statusCode(202).extract().as(IngestBatch.class);
        assertThat(zipped.sourceFormat()).isEqualTo("jsonl+gzip");
        assertThat(zipped.recordsAccepted()).isEqualTo(1);
    }

    @Test
    void emptyUploadsBadMappingsAndGzipBombsAreRefusedWithTheReason() throws Exception {
        given().contentType("application/x-ndjson").body(new byte[0]).post("/api/v1/datasets/{d}/uploads", "refusals")
                .then().statusCode(400).body("error", containsString("empty"));
        given().contentType("text/csv").body("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8)).queryParam("mapping", "answer")
                .post("/api/v1/datasets/{d}/uploads", "refusals").then().statusCode(400).body("error", containsString("mapping"));
        given().contentType("application/x-ndjson").body("{}".getBytes(StandardCharsets.UTF_8)).queryParam("format", "xml")
                .post("/api/v1/datasets/{d}/uploads", "refusals").then().statusCode(400).body("error", containsString("unknown format"));
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(new byte[12_000_000]);
        }
        given().contentType("application/gzip").body(gz.toByteArray()).post("/api/v1/datasets/{d}/uploads", "refusals")
                .then().statusCode(413).body("error", containsString("once decompressed"));
    }

    /** Records of {@code dataset} on raw-records as a consumer with the given isolation level sees them. */
    private static java.util.List<RawRecord> rawRecords(String dataset, String isolation) {
        java.util.List<RawRecord> seen = new java.util.ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(java.util.Map.of(
                "bootstrap.servers", TestStack.get().bootstrapServers(), "group.id", "count-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest", "isolation.level", isolation),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(Topics.RAW_RECORDS.name()).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline
                    && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (dataset.equals(r.key())) {
                        seen.add(EventJson.fromBytes(r.value(), RawRecord.class));
                    }
                }
            }
        }
        return seen;
    }

    @Test
    void anUploadCutOffByACrashAndRetriedEndsWithExactlyOneCopyOfEachRecord() {
        String dataset = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        String prefix = "crash-test-" + UUID.randomUUID();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            body.append("{\"instruction\": \"Count to ").append(i).append(".\", \"output\": \"").append(i).append("\"}\n");
        }
        // The first incarnation starts the upload's transaction, sends part of it, and dies.
        var first = new io.tuneloop.ingest.messaging.TransactionalBatchPublisher(TestStack.get().bootstrapServers(), prefix,
                1, Duration.ofSeconds(5), Duration.ofMinutes(5));
        var dying = first.begin();
        for (int i = 0; i < 3; i++) {
            dying.send(new RawRecord("partial-" + i, dataset, "upload-x", i, "alpaca", null, null, null, "Count.", null,
                    String.valueOf(i), null, null, new io.tuneloop.events.payload.Provenance(dataset, "upload-x", null, "f", i + 1),
                    java.util.Map.of()));
        }
        // The restarted incarnation (same transactional ids) fences it and publishes the whole upload once.
        var restarted = new io.tuneloop.ingest.messaging.TransactionalBatchPublisher(TestStack.get().bootstrapServers(), prefix,
                1, Duration.ofSeconds(5), Duration.ofMinutes(5));
        try (var retry = restarted.begin()) {
            for (int i = 0; i < 5; i++) {
                retry.send(new RawRecord("record-" + i, dataset, "upload-x", i, "alpaca", null, null, null, "Count.", null,
                        String.valueOf(i), null, null, new io.tuneloop.events.payload.Provenance(dataset, "upload-x", null, "f", i + 1),
                        java.util.Map.of()));
            }
            retry.commit(new IngestBatch("upload-x", dataset, null, "f", "jsonl", 5, 5, 0, 0, null, Instant.now()));
        } finally {
            restarted.close();
            first.close();
        }
        var committed = rawRecords(dataset, "read_committed");
        assertThat(committed).extracting(RawRecord::recordId)
                .containsExactlyInAnyOrder("record-0", "record-1", "record-2", "record-3", "record-4");
        assertThat(rawRecords(dataset, "read_uncommitted")).hasSize(8); // the aborted three are there, invisible

        // Through HTTP: the same upload sent twice (a client retry) is committed once.
        IngestBatch once = given().contentType("application/x-ndjson").body(body.toString().getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/{d}/uploads", dataset).then().statusCode(202).extract().as(IngestBatch.class);
        IngestBatch twice = given().contentType("application/x-ndjson").body(body.toString().getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/{d}/uploads", dataset).then().statusCode(202).extract().as(IngestBatch.class);
        assertThat(twice).isEqualTo(once);
        assertThat(rawRecords(dataset, "read_committed").stream().filter(r -> r.batchId().equals(once.batchId())))
                .hasSize(5);
        given().get("/api/v1/datasets/{d}/uploads/{b}", dataset, once.batchId()).then().statusCode(200)
                .body("recordsAccepted", org.hamcrest.Matchers.equalTo(5));
        given().get("/api/v1/datasets").then().statusCode(200).body(containsString(dataset));
    }

    /** A record long enough for near-duplicate detection (word 3-grams). */
    private static final String POEM = "Write a short poem about the sea at night, with the moon on the waves and a"
            + " lighthouse keeper watching the ships come home through the fog before dawn.";

    private static void uploadThePoem(String dataset) {
        IngestBatch first = given().contentType("application/x-ndjson")
                .body(("{\"instruction\": \"" + POEM + "\", \"output\": \"Waves.\"}\n").getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/{d}/uploads", dataset).then().statusCode(202).extract().as(IngestBatch.class);
        assertThat(first.recordsAccepted()).isEqualTo(1);
    }

    @Test
    void duplicatesAcrossUploadsAndNearDuplicatesAreDroppedAndFiltersApply() {
        String dataset = "dedup-" + UUID.randomUUID().toString().substring(0, 8);
        uploadThePoem(dataset);

        String second = "{\"instruction\": \"" + POEM + "\", \"output\": \"Waves.\"}\n"             // exact duplicate
                + "{\"instruction\": \"" + POEM.replace(",", ";") + "!\", \"output\": \"Waves.\"}\n" // near duplicate: punctuation only
                + "{\"instruction\": \"Name a prime.\", \"output\": \"7\", \"language\": \"fr\"}\n"       // language filtered
                + "{\"instruction\": \"Name a colour.\", \"output\": \"blue\"}\n";
        IngestBatch batch = given().contentType("application/x-ndjson").body(second.getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/{d}/uploads", dataset).then().statusCode(202).extract().as(IngestBatch.class);
        assertThat(batch.recordsAccepted()).isEqualTo(1);
        assertThat(batch.recordsDuplicate()).isEqualTo(2);
        assertThat(batch.recordsRejected()).isEqualTo(1);
        assertThat(batch.rejectedByReason()).containsEntry("near-duplicate", 1L).containsEntry("language", 1L);
        String quarantine = given().get("/api/v1/datasets/{d}/uploads/{b}/quarantine", dataset, batch.batchId())
                .then().statusCode(200).extract().asString();
        assertThat(quarantine).contains("near-duplicate of record").contains("language fr is not among the allowed");
    }

    @Test
    void objectsAlreadyInTheBucketAreIngestedByUriOneBatchEach() {
        String dataset = "import-" + UUID.randomUUID().toString().substring(0, 8);
        String folder = "incoming/" + TestTokens.TEAM + "/" + dataset + "/";
        try (var store = TestStack.get().openStore()) {
            store.putBytes(folder + "a.jsonl", "{\"instruction\": \"A?\", \"output\": \"a\"}\n".getBytes(StandardCharsets.UTF_8), null);
            store.putBytes(folder + "b.csv", "prompt,completion\nB?,b\nC?,c\n".getBytes(StandardCharsets.UTF_8), null);
        }
        IngestBatch[] batches = given().contentType(ContentType.JSON)
                .body("{\"uri\": \"s3://" + TestStack.BUCKET + "/" + folder + "\"}")
                .post("/api/v1/datasets/{d}/imports", dataset).then().statusCode(200).extract().as(IngestBatch[].class);
        assertThat(batches).extracting(IngestBatch::sourceName).containsExactly("a.jsonl", "b.csv");
        assertThat(batches).extracting(IngestBatch::recordsAccepted).containsExactly(1L, 2L);

        given().contentType(ContentType.JSON).body("{\"uri\": \"s3://other-bucket/x\"}")
                .post("/api/v1/datasets/{d}/imports", dataset).then().statusCode(400).body("error", containsString("bucket"));
        given().contentType(ContentType.JSON).body("{\"uri\": \"s3://" + TestStack.BUCKET + "/" + folder + "nothing/here\"}")
                .post("/api/v1/datasets/{d}/imports", dataset).then().statusCode(404);
    }

    @Test
    void everyRouteNeedsATokenAndARoleThatMayUseIt() throws Exception {
        RouteAuthorisation.Checked checked = RouteAuthorisation.checkEveryRoute();
        assertThat(checked.routes()).extracting(RouteAuthorisation.Route::path)
                .contains("/api/v1/datasets/{dataset}/uploads", "/api/v1/datasets/{dataset}/imports", "/api/v1/datasets");
        assertThat(checked.routes()).filteredOn(r -> r.method().equals("post") && r.path().startsWith("/api/v1/datasets"))
                .allSatisfy(r ->
                assertThat(r.roles()).containsExactly(Roles.DATA));
        assertThat(checked.forbidden()).isPositive();
    }

    @Test
    void anotherTeamsDatasetAnswersAsIfItDidNotExist() {
        String dataset = "owned-" + UUID.randomUUID().toString().substring(0, 8);
        String dana = TestTokens.of("dana", "team-a", Roles.DATA);
        String eve = TestTokens.of("eve", "team-b", Roles.DATA);
        String eveViewer = TestTokens.of("eve-viewer", "team-b", Roles.VIEWER);
        IngestBatch batch = given().auth().oauth2(dana).contentType("application/x-ndjson")
                .body("{\"instruction\": \"Owned?\", \"output\": \"yes\"}\n".getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/{d}/uploads", dataset).then().statusCode(202).extract().as(IngestBatch.class);
        assertThat(batch.principal()).isEqualTo("dana");

        given().auth().oauth2(eve).contentType("application/x-ndjson").body("{\"instruction\": \"Mine?\", \"output\": \"no\"}\n".getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/{d}/uploads", dataset).then().statusCode(404).body("error", containsString("no dataset"));
        given().auth().oauth2(eveViewer).get("/api/v1/datasets/{d}/uploads/{b}", dataset, batch.batchId()).then().statusCode(404);
        given().auth().oauth2(eveViewer).get("/api/v1/datasets/{d}/uploads/{b}/quarantine", dataset, batch.batchId())
                .then().statusCode(404);
        String teamB = given().auth().oauth2(eveViewer).get("/api/v1/datasets").then().statusCode(200).extract().asString();
        assertThat(teamB).doesNotContain(dataset);
        String teamA = given().auth().oauth2(TestTokens.of("vic", "team-a", Roles.VIEWER)).get("/api/v1/datasets")
                .then().statusCode(200).extract().asString();
        assertThat(teamA).contains(dataset);
        given().auth().oauth2(TestTokens.of("vic", "team-a", Roles.VIEWER)).get("/api/v1/datasets/{d}/uploads/{b}",
                dataset, batch.batchId()).then().statusCode(200);

        // imports read only the caller's team folder: never another team's data, nor the service's own artifacts
        given().auth().oauth2(dana).contentType(ContentType.JSON)
                .body("{\"uri\": \"s3://" + TestStack.BUCKET + "/" + batch.sourceKey() + "\"}")
                .post("/api/v1/datasets/{d}/imports", dataset).then().statusCode(403).body("error", containsString("incoming/team-a/"));
        given().auth().oauth2(dana).contentType(ContentType.JSON)
                .body("{\"uri\": \"s3://" + TestStack.BUCKET + "/incoming/team-b/x.jsonl\"}")
                .post("/api/v1/datasets/{d}/imports", dataset).then().statusCode(403);
        // a token without a team cannot create a dataset: what is made belongs to a team
        given().auth().oauth2(TestTokens.TOKENS.mint("root", java.util.List.of(Roles.ADMIN), null, Duration.ofMinutes(5)))
                .contentType("application/x-ndjson").body("{\"instruction\": \"Q?\", \"output\": \"a\"}\n".getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/{d}/uploads", "teamless-" + dataset).then().statusCode(403)
                .body("error", containsString("team"));
    }

    @Test
    void uploadsBeyondTheHourlyAllowanceAre429WithRetryAfter() {
        String flood = TestTokens.of("flood-" + UUID.randomUUID().toString().substring(0, 6), "team-a", Roles.DATA);
        String dataset = "flood-" + UUID.randomUUID().toString().substring(0, 8);
        int accepted = 0;
        io.restassured.response.Response refused = null;
        for (int i = 0; i <= 60 && refused == null; i++) {
            var response = given().auth().oauth2(flood).contentType("application/x-ndjson")
                    .body(("{\"instruction\": \"Upload " + i + "?\", \"output\": \"" + i + "\"}\n").getBytes(StandardCharsets.UTF_8))
                    .post("/api/v1/datasets/{d}/uploads", dataset);
            if (response.statusCode() == 429) {
                refused = response;
            } else {
                assertThat(response.statusCode()).isEqualTo(202);
                accepted++;
            }
        }
        assertThat(accepted).as("the test profile allows 60 uploads an hour").isEqualTo(60);
        assertThat(refused).isNotNull();
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 3600L);
        assertThat(refused.jsonPath().getString("error")).contains("60");
        String metrics = given().auth().none().get("/q/metrics").then().extract().asString();
        assertThat(metrics).containsPattern("tuneloop_http_refusals_total\\{[^}]*status=\"429\"[^}]*} [1-9]");
    }

    @Test
    void anInvalidDatasetNameIsA400WithTheReason() {
        given().contentType("application/x-ndjson").body("{}".getBytes(StandardCharsets.UTF_8)).post("/api/v1/datasets/{d}/uploads", "Bad Name!")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("error", containsString("dataset name must be"));
        given().get("/api/v1/datasets/{d}/uploads/{b}/quarantine", "nothing-here", "nope").then().statusCode(404);
    }

    @Test
    void streamedInputIsBatchedAndPoisonGoesToTheDeadLetterTopic() {
        String dataset = "stream-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            TestKafka.sendRaw(Topics.RAW_INPUT.name(), dataset,
                    ("{\"prompt\": \"count " + i + "\", \"completion\": \"" + i + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        TestKafka.sendRaw(Topics.RAW_INPUT.name(), dataset, "[\"not an object\"]".getBytes(StandardCharsets.UTF_8));
        TestKafka.sendRaw(Topics.RAW_INPUT.name(), dataset, "{oops".getBytes(StandardCharsets.UTF_8));

        IngestBatch batch = awaitBatch(dataset);
        assertThat(batch.recordsAccepted()).isEqualTo(3);
        assertThat(batch.batchId()).startsWith("stream-");

        String dlq = Topics.RAW_INPUT.deadLetterTopic(Service.INGEST);
        var notObject = TestKafka.awaitRecord(dlq, r -> dataset.equals(r.key())
                && new String(r.value(), StandardCharsets.UTF_8).contains("not an object"), Duration.ofSeconds(30));
        assertThat(TestKafka.header(notObject, "dead-letter-reason")).contains("expected a JSON object");
        var malformed = TestKafka.awaitRecord(dlq, r -> dataset.equals(r.key())
                && new String(r.value(), StandardCharsets.UTF_8).equals("{oops"), Duration.ofSeconds(30));
        assertThat(TestKafka.header(malformed, "dead-letter-reason")).isNotBlank();
    }

    /**
     * Streamed input meets the same admission as an upload: an exact duplicate of an uploaded record
     * is counted as a duplicate; a near-duplicate of one, a record of a language the filter does not allow
     * and one over the length filter are quarantined with their reasons; a later upload dedupes against streamed records.
     */
    @Test
    void streamedRecordsAreAdmittedByTheUploadsPolicyAgainstEveryRecordOfTheDataset() {
        String dataset = "stream-admission-" + UUID.randomUUID().toString().substring(0, 8);
        uploadThePoem(dataset);

        for (String line : new String[] {
                "{\"instruction\": \"" + POEM + "\", \"output\": \"Waves.\"}",                  // exact duplicate
                "{\"instruction\": \"" + POEM.replace(",", ";") + "!\", \"output\": \"Waves.\"}", // near duplicate
                "{\"instruction\": \"Name a prime.\", \"output\": \"7\", \"language\": \"fr\"}",  // language filtered
                "{\"instruction\": \"Repeat this.\", \"output\": \"" + "x".repeat(200_001) + "\"}",     // too long
                "{\"instruction\": \"Name a colour.\", \"output\": \"blue\"}"}) {                  // new
            TestKafka.sendRaw(Topics.RAW_INPUT.name(), dataset, line.getBytes(StandardCharsets.UTF_8));
        }
        var announced = TestKafka.awaitRecord(Topics.INGEST_BATCHES.name(), r -> dataset.equals(r.key())
                && EventJson.fromBytes(r.value(), IngestBatch.class).batchId().startsWith(IngestBatch.STREAM_BATCH_PREFIX),
                Duration.ofSeconds(60));
        IngestBatch streamed = EventJson.fromBytes(announced.value(), IngestBatch.class);
        assertThat(streamed.recordsRead()).isEqualTo(5);
        assertThat(streamed.recordsAccepted()).isEqualTo(1);
        assertThat(streamed.recordsDuplicate()).isEqualTo(2);
        assertThat(streamed.recordsRejected()).isEqualTo(2);
        assertThat(streamed.rejectedByReason()).containsEntry("near-duplicate", 1L).containsEntry("language", 1L)
                .containsEntry("too-long", 1L);
        assertThat(streamed.streamRange()).isNotNull();
        assertThat(streamed.batchId()).isEqualTo(IngestBatch.StreamRange.batchId(streamed.streamRange().partition(),
                streamed.streamRange().firstOffset()));
        String quarantine = given().get("/api/v1/datasets/{d}/uploads/{b}/quarantine", dataset, streamed.batchId())
                .then().statusCode(200).extract().asString();
        assertThat(quarantine).contains("near-duplicate of record " + EventJson.fromBytes(TestKafka.awaitRecord(
                        Topics.RAW_RECORDS.name(), r -> dataset.equals(r.key()), Duration.ofSeconds(30)).value(),
                        RawRecord.class).recordId())
                .contains("language fr is not among the allowed")
                .contains("characters, over the maximum of 200000");
        var streamedRecord = TestKafka.awaitRecord(Topics.RAW_RECORDS.name(), r -> dataset.equals(r.key())
                && EventJson.fromBytes(r.value(), RawRecord.class).batchId().equals(streamed.batchId()), Duration.ofSeconds(30));
        assertThat(EventJson.fromBytes(streamedRecord.value(), RawRecord.class).instruction()).isEqualTo("Name a colour.");

        IngestBatch again = given().contentType("application/x-ndjson")
                .body("{\"instruction\": \"name a  colour.\", \"output\": \"Blue\"}\n".getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/datasets/{d}/uploads", dataset).then().statusCode(202).extract().as(IngestBatch.class);
        assertThat(again.recordsAccepted()).isZero();
        assertThat(again.recordsDuplicate()).isEqualTo(1);
    }

    @Test
    void healthAndMetricsAreServed() {
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("kafka_consumer"));
    }
}
