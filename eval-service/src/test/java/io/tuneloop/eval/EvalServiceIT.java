package io.tuneloop.eval;

import io.tuneloop.tokens.Roles;
import io.tuneloop.testing.TestTokens;
import io.tuneloop.testing.RouteAuthorisation;
import io.restassured.RestAssured;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Service;
import io.tuneloop.events.Topics;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.EvalResult;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.model.TinyModelFactory;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.train.AdamW;
import io.tuneloop.model.train.LrSchedule;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.model.train.TrainerState;
import io.tuneloop.model.train.TrainingLoop;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.Sha256;
import io.tuneloop.testing.TestKafka;
import io.tuneloop.testing.TestStack;
import io.tuneloop.testing.TuneloopStackResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Through the real broker and S3 server: a tiny model is trained in the test on one phrasing of a
 * task, stored as a checkpoint next to its base and a dataset version with held-out phrasings; the
 * checkpoint event leads to a stored report, an eval-results event and review items, and the tuned
 * model scores higher than the untrained base on the held-out phrasings.
 */
@QuarkusTest
@QuarkusTestResource(TuneloopStackResource.class)
class EvalServiceIT {
    private static final String[] COLOURS = ColourExamples.COLOURS;
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String MODEL = "tiny-eval-" + SUFFIX;
    private static final String DATASET = "colours-" + SUFFIX;
    private static final String RUN = "eval-run-" + SUFFIX;

    private static byte[] jsonLines(List<InstructionRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        records.forEach(r -> {
            out.writeBytes(EventJson.toBytes(r));
            out.write('\n');
        });
        return out.toByteArray();
    }

    /** Calls name no token unless a test is about tokens: they go as an admin of the test team. */
    @BeforeAll
    static void asAdmin() throws Exception {
        TestTokens.asAdminByDefault();
        try (ArtifactStore store = TestStack.get().openStore()) {
            // the dataset is team-a's, as its first upload would have made it
            Artifacts.DATASET_OWNER.write(store, DATASET, new Artifacts.DatasetOwner(DATASET, "team-a", "test", java.time.Instant.now()));
        }
    }

    @Test
    void everyRouteNeedsATokenAndARoleThatMayUseIt() throws Exception {
        RouteAuthorisation.Checked checked = RouteAuthorisation.checkEveryRoute();
        assertThat(checked.routes()).extracting(RouteAuthorisation.Route::path)
                .contains("/api/v1/reports/{runId}/{shard}", "/api/v1/compare", "/api/v1/checkpoints");
        assertThat(checked.forbidden()).isPositive();
    }

    @BeforeAll
    static void trainACheckpointAndStoreEverything() throws Exception {
        Path base = Files.createTempDirectory("base");
        Path tuned = Files.createTempDirectory("tuned");
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            corpus.add("What colour is item " + i + "? Tell me the colour of item " + i + ". " + COLOURS[i % 4]);
        }
        TinyModelFactory.write(base, TinyModelFactory.Spec.llama(), corpus, 11);
        List<InstructionRecord> heldOut = new ArrayList<>();
        List<InstructionRecord> validation = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(Device.cpu()); TextTokenizer tokenizer = TextTokenizer.load(base);
             DecoderModel model = Models.load(base, root, Device.cpu()); AdamW adamW = AdamW.defaults(root, 0.0)) {
            List<SftExample> train = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                InstructionRecord seen = ColourExamples.example(tokenizer, i, "train", "What colour is item " + i + "?");
                train.add(SftExample.fromSpans(seen.tokens(), seen.lossSpans(), Integer.MAX_VALUE));
                heldOut.add(ColourExamples.example(tokenizer, i, "heldout_phrasings", "Tell me the colour of item " + i + "."));
                if (i < 4) { // a few-shot variant: one exemplar before the question
                    InstructionRecord shot = ColourExamples.example(tokenizer, i, "heldout_phrasings", "Tell me the colour of item "
                            + (i + 4) + ".\n" + COLOURS[i % 4] + "\n\nTell me the colour of item " + i + ".");
                    heldOut.add(new InstructionRecord(shot.id() + "+fs1", shot.recordId(), shot.task(), shot.category(), "t+fs1",
                            shot.language(), shot.split(), shot.prompt(), shot.response(), null, shot.text(), shot.tokens(),
                            shot.lossSpans(), shot.file(), shot.line()));
                }
                if (i % 4 == 0) {
                    validation.add(ColourExamples.example(tokenizer, i, "validation", "What colour is item " + i + "?"));
                }
            }
            TrainingLoop loop = new TrainingLoop(model, model.parameters(), adamW, train,
                    new TrainingLoop.Settings(8, 1, 1.0, LrSchedule.cosine(3e-3, 10, 200, 0.1)), 0, root, TrainerState.start(1));
            for (int step = 0; step < 200; step++) {
                loop.step();
            }
            Models.save(model, tuned, DType.F32, Long.MAX_VALUE);
            Models.copyModelFiles(base, tuned);
        }
        byte[] heldOutShard = jsonLines(heldOut);
        byte[] validationShard = jsonLines(validation);
        try (ArtifactStore store = TestStack.get().openStore()) {
            for (Path[] pair : new Path[][] {{base, Path.of(Artifacts.MODEL.prefix(MODEL))},
                    {tuned, Path.of(Artifacts.CHECKPOINT.prefix(new Artifacts.CheckpointRef(RUN, 0)))}}) {
                try (Stream<Path> files = Files.list(pair[0])) {
                    for (Path file : files.toList()) {
                        store.putFile(pair[1] + "/" + file.getFileName(), file, null);
                    }
                }
            }
            store.putBytes(Artifacts.CHECKPOINT.prefix(new Artifacts.CheckpointRef(RUN, 0)) + Artifacts.MANIFEST, "{}".getBytes(), null);
            String version = Artifacts.DATASET_VERSION.prefix(new Artifacts.Version(DATASET, 1));
            store.putBytes(version + "heldout_phrasings-00000.jsonl", heldOutShard, null);
            store.putBytes(version + "validation-00000.jsonl", validationShard, null);
            DatasetManifest manifest = new DatasetManifest(DATASET, 1, 0, EventJson.fromBytes(
                    ("{\"model\": \"" + MODEL + "\"}").getBytes(StandardCharsets.UTF_8), DatasetSpec.class), "t",
                    List.of("b"), heldOut.size() + validation.size(), Map.of("heldout_phrasings", (long) heldOut.size(),
                    "validation", (long) validation.size()), Map.of(), Map.of(), Map.of(), Map.of(),
                    List.of(new DatasetManifest.ShardEntry("heldout_phrasings-00000.jsonl", "heldout_phrasings",
                                    heldOut.size(), Sha256.hex(heldOutShard), heldOutShard.length),
                            new DatasetManifest.ShardEntry("validation-00000.jsonl", "validation", validation.size(),
                                    Sha256.hex(validationShard), validationShard.length)), "c", Instant.now());
            store.putBytes(Artifacts.DATASET_MANIFEST.key(new Artifacts.Version(DATASET, 1)), EventJson.toBytes(manifest), null);
        }
    }

    private static Checkpoint checkpoint(String runId) {
        return checkpoint(runId, 0);
    }

    private static Checkpoint checkpoint(String runId, int round) {
        String prefix = Artifacts.CHECKPOINT.prefix(new Artifacts.CheckpointRef(runId, 0));
        return new Checkpoint(runId + "/shard-0", runId, 0, 200, prefix, prefix + Artifacts.MANIFEST,
                Artifacts.MODEL.prefix(MODEL), DATASET, 1, round, 0.5, null, true, Instant.now());
    }

    private static void copyCheckpoint(ArtifactStore store, String toRun) {
        String from = Artifacts.CHECKPOINT.prefix(new Artifacts.CheckpointRef(RUN, 0));
        store.list(from).forEach(o -> store.putBytes(Artifacts.CHECKPOINT.prefix(new Artifacts.CheckpointRef(toRun, 0))
                + o.key().substring(from.length()), store.getBytes(o.key()), null));
    }

    @Test
    void aCheckpointIsEvaluatedAgainstItsBaseReportedAndPutUpForReview() {
        Checkpoint checkpoint = checkpoint(RUN);
        TestKafka.send(Topics.CHECKPOINTS, RUN, checkpoint);
        TestKafka.send(Topics.CHECKPOINTS, RUN, checkpoint); // redelivered: evaluated once, announced again

        EvalResult result = EventJson.fromBytes(TestKafka.awaitRecord(Topics.EVAL_RESULTS.name(),
                r -> RUN.equals(r.key()), Duration.ofSeconds(240)).value(), EvalResult.class);
        assertThat(result.scores().get("heldout_phrasings.rougeL"))
                .as("tuned %s vs base %s", result.scores(), result.baseScores())
                .isGreaterThan(result.baseScores().get("heldout_phrasings.rougeL"));
        assertThat(result.scores()).containsKeys("ifeval.promptStrict", "ifeval.instructionLoose", "validation.loss",
                "general.rougeL", "heldout_phrasings_fewshot.rougeL");
        assertThat(result.scores().get("validation.loss")).isLessThan(result.baseScores().get("validation.loss"));

        List<ReviewItem> items = TestKafka.awaitRecords(Topics.REVIEW_ITEMS.name(), r -> DATASET.equals(r.key()), 20,
                Duration.ofSeconds(60)).stream().map(r -> EventJson.fromBytes(r.value(), ReviewItem.class)).toList();
        assertThat(items).extracting(ReviewItem::suite).contains("heldout_phrasings", "ifeval");
        assertThat(items).allMatch(i -> i.checkpointId().equals(checkpoint.checkpointId()));
        // review items name the team that owns them: the feedback service shows them to its raters only
        var item = TestKafka.awaitRecord(Topics.REVIEW_ITEMS.name(), r -> DATASET.equals(r.key()), Duration.ofSeconds(10));
        assertThat(TestKafka.header(item, "ce_team")).isEqualTo("team-a");

        try (ArtifactStore store = TestStack.get().openStore()) {
            assertThat(store.exists(Artifacts.EVAL_REPORT.key(Artifacts.CheckpointRef.of(checkpoint.checkpointId())))).isTrue();
            assertThat(new String(store.getBytes(Artifacts.EVAL_REPORT_MARKDOWN.key(Artifacts.CheckpointRef.of(checkpoint.checkpointId())))))
                    .contains("heldout_phrasings");
        }
        given().get("/api/v1/reports/{run}/{shard}", RUN, "shard-0").then().statusCode(200)
                .body("suites.heldout_phrasings.rougeL.prompts", equalTo(32))
                .body("perCategory.'general/knowledge'.rougeL", org.hamcrest.Matchers.notNullValue())
                .body("perCategory.'heldout_phrasings/knowledge'.rougeL", org.hamcrest.Matchers.notNullValue());
        given().get("/api/v1/runs/{run}/leaderboard", RUN).then().statusCode(200)
                .body("[0].checkpointId", equalTo(checkpoint.checkpointId()));
        given().get("/api/v1/compare?a={a}&b={a}", checkpoint.checkpointId(), checkpoint.checkpointId()).then()
                .statusCode(200).body("heldout_phrasings.rougeL.difference", equalTo(0.0f));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/checkpoints/{run}/{shard}",
                RUN, "shard-0").then().statusCode(200).body("state", equalTo("EVALUATED")));
        // another team's reports and checkpoints answer as if they did not exist; the team's viewers read them
        String eve = TestTokens.of("eve", "team-b", Roles.VIEWER);
        given().auth().oauth2(eve).get("/api/v1/reports/{run}/{shard}", RUN, "shard-0").then().statusCode(404);
        given().auth().oauth2(eve).get("/api/v1/reports/{run}/{shard}/markdown", RUN, "shard-0").then().statusCode(404);
        given().auth().oauth2(eve).get("/api/v1/runs/{run}/leaderboard", RUN).then().statusCode(404);
        given().auth().oauth2(eve).get("/api/v1/compare?a={a}&b={a}", checkpoint.checkpointId(), checkpoint.checkpointId())
                .then().statusCode(404);
        given().auth().oauth2(eve).get("/api/v1/checkpoints/{run}/{shard}", RUN, "shard-0").then().statusCode(404);
        assertThat(given().auth().oauth2(eve).get("/api/v1/checkpoints").then().statusCode(200).extract().asString())
                .doesNotContain(RUN);
        given().auth().oauth2(TestTokens.of("vic", "team-a", Roles.VIEWER)).get("/api/v1/reports/{run}/{shard}", RUN,
                "shard-0").then().statusCode(200);
        given().auth().oauth2(TestTokens.of("rae", "team-a", Roles.RATER)).get("/api/v1/reports/{run}/{shard}", RUN,
                "shard-0").then().statusCode(403);
        given().get("/q/metrics").then().body(containsString("tuneloop_eval_score"))
                .body(containsString("tuneloop_eval_checkpoints_redelivered_total"));
        // the redelivered event found the report, was not evaluated again, and announced the same result
        // again (the first attempt may have died before announcing): same event id, same payload
        var results = TestKafka.awaitRecords(Topics.EVAL_RESULTS.name(), r -> RUN.equals(r.key()), 2, Duration.ofSeconds(30));
        org.assertj.core.api.Assertions.assertThat(TestKafka.header(results.get(1), "ce_id"))
                .isEqualTo(TestKafka.header(results.get(0), "ce_id"));
        org.assertj.core.api.Assertions.assertThat(results.get(1).value()).isEqualTo(results.get(0).value());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestKafka.awaitRecords(Topics.EVAL_RESULTS.name(),
                r -> RUN.equals(r.key()), 3, Duration.ofSeconds(3))).hasMessageContaining("2 of 3");
    }

    @Test
    void aRunsSuiteSelectionAndAPromptFileInTheBucketDecideWhatRuns() {
        String run = "selected-" + SUFFIX;
        try (ArtifactStore store = TestStack.get().openStore()) {
            copyCheckpoint(store, run);
            store.putBytes(Artifacts.RUN_EVAL_SELECTION.key(run),
                    "{\"suites\": [\"heldout_phrasings\", \"house-style\"], \"maxPromptsPerSuite\": 8}".getBytes(), null);
            store.putBytes(Artifacts.EVAL_SUITE.key("house-style"), ("{\"id\": \"hs-1\", \"prompt\": \"Say hello without commas.\","
                    + " \"instructions\": [{\"id\": \"punctuation:no_comma\", \"args\": {}}]}\n").getBytes(), null);
        }
        TestKafka.send(Topics.CHECKPOINTS, run, checkpoint(run));
        EvalResult result = EventJson.fromBytes(TestKafka.awaitRecord(Topics.EVAL_RESULTS.name(),
                r -> run.equals(r.key()), Duration.ofSeconds(240)).value(), EvalResult.class);
        assertThat(result.scores().keySet()).allMatch(k -> k.startsWith("heldout_phrasings.") || k.startsWith("house-style."))
                .contains("house-style.promptStrict");
        given().get("/api/v1/reports/{run}/{shard}", run, "shard-0").then()
                .body("suites.heldout_phrasings.rougeL.prompts", equalTo(8));
    }

    @Test
    void aFeedbackRoundIsComparedWithThePreviousRoundsFinalCheckpoint() {
        TestKafka.send(Topics.CHECKPOINTS, RUN, checkpoint(RUN)); // round 0 (evaluated once, whichever test sends it)
        TestKafka.awaitRecord(Topics.EVAL_RESULTS.name(), r -> RUN.equals(r.key()), Duration.ofSeconds(240));
        String next = "round1-" + SUFFIX;
        try (ArtifactStore store = TestStack.get().openStore()) {
            copyCheckpoint(store, next);
        }
        TestKafka.send(Topics.CHECKPOINTS, next, checkpoint(next, 1));
        TestKafka.awaitRecord(Topics.EVAL_RESULTS.name(), r -> next.equals(r.key()), Duration.ofSeconds(240));
        // the same weights: every response equal, so every difference is 0 and none is significant
        given().get("/api/v1/reports/{run}/{shard}", next, "shard-0").then().statusCode(200)
                .body("previousRoundCheckpoint", equalTo(RUN + "/shard-0"))
                .body("againstPreviousRound.heldout_phrasings.rougeL.difference", equalTo(0.0f))
                .body("againstPreviousRound.heldout_phrasings.rougeL.significant", equalTo(false));
        given().get("/api/v1/reports/{run}/{shard}/markdown", next, "shard-0").then().statusCode(200)
                .body(containsString("Against the previous round"));
    }

    @Test
    void aCheckpointWithoutItsManifestIsDeadLettered() {
        String runId = "partial-" + SUFFIX;
        TestKafka.send(Topics.CHECKPOINTS, runId, checkpoint(runId));
        var dead = TestKafka.awaitRecord(Topics.CHECKPOINTS.deadLetterTopic(Service.EVAL), r -> runId.equals(r.key()),
                Duration.ofSeconds(60));
        assertThat(TestKafka.header(dead, "dead-letter-reason")).contains("does not exist");
        given().get("/api/v1/checkpoints/{run}/{shard}", runId, "shard-0").then().statusCode(404);
    }
}
