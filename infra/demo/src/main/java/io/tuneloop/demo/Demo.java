package io.tuneloop.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tuneloop.model.TinyModelFactory;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.StoreSettings;
import io.tuneloop.tokens.BearerTokens;
import io.tuneloop.tokens.Roles;
import io.tuneloop.tokens.SigningKeys;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * {@code ./tuneloop local demo}: two rounds of the loop on a running local stack, driven only
 * through the services' public interfaces (HTTP, the bucket, bearer tokens). It uploads a base
 * model made in code, the demo's phrasings and a synthetic multi-task dataset (plus the real
 * self-instruct seed tasks); from there the stack runs by itself (the formatter seals version 1,
 * the trainer's policy trains it, eval scores every checkpoint and puts responses up for review)
 * while the demo plays the raters over the feedback API; the round policy then starts round 2,
 * which is trained and evaluated the same way. It prints progress, then a report of the scores of
 * base, round 1 and round 2 per suite, the feedback that went into round 2 and where everything is.
 *
 * <p>Usage: {@code Demo env <profile>} prints the services' settings as shell assignments;
 * {@code Demo run <profile>} runs the loop (service URLs, store and key settings from the
 * environment, as the launcher sets them).
 */
public final class Demo {
    private static final Duration ROUND_TIMEOUT = Duration.ofMinutes(25);

    private final DemoProfile profile;
    private final StackClient stack;
    private final ArtifactStore store;
    private final Path keys;
    private final Path stateDir;
    private final Optional<Path> seedData;
    private final Map<String, String> urls;
    private final Instant started = Instant.now();
    private final Map<String, Object> report = new LinkedHashMap<>();
    /** Signs the demo's tokens: one per person it plays, each with only the role that person needs. */
    private final BearerTokens tokens;
    private final String dataToken;
    private final String viewerToken;

    Demo(DemoProfile profile, Map<String, String> urls, ArtifactStore store, Path keys, Path stateDir, Optional<Path> seedData) {
        this.profile = profile;
        this.urls = urls;
        this.stack = new StackClient(urls);
        this.store = store;
        this.keys = keys;
        this.stateDir = stateDir;
        this.seedData = seedData;
        this.tokens = new BearerTokens(SigningKeys.readPrivate(keys.resolve(SigningKeys.PRIVATE_FILE)),
                BearerTokens.LOCAL_ISSUER);
        this.dataToken = token("demo-data-engineer", Roles.DATA);
        this.viewerToken = token("demo-viewer", Roles.VIEWER);
    }

    /** A token of the demo's team for {@code user} with {@code role}. */
    private String token(String user, String role) {
        return tokens.mint(user, List.of(role), DemoProfile.TEAM, Duration.ofHours(2));
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !List.of("env", "run").contains(args[0])) {
            System.err.println("usage: Demo env|run full|quick");
            System.exit(2);
        }
        DemoProfile profile = DemoProfile.named(args[1]);
        if (args[0].equals("env")) {
            profile.serviceEnvironment().forEach((k, v) -> System.out.println(k + "='" + v + "'"));
            return;
        }
        Map<String, String> env = System.getenv();
        Map<String, String> urls = new LinkedHashMap<>();
        for (String service : List.of("ingest", "formatter", "trainer", "eval", "feedback")) {
            urls.put(service, required(env, "TUNELOOP_" + service.toUpperCase() + "_URL"));
        }
        StoreSettings settings = new StoreSettings(required(env, "TUNELOOP_STORE_ENDPOINT"),
                required(env, "TUNELOOP_STORE_ACCESS_KEY"), required(env, "TUNELOOP_STORE_SECRET_KEY"),
                env.getOrDefault("TUNELOOP_STORE_BUCKET", "tuneloop"), "us-east-1");
        Optional<Path> seed = Optional.ofNullable(env.get("TUNELOOP_DEMO_SEED_DATA")).map(Path::of).filter(Files::isRegularFile);
        try (ArtifactStore store = ArtifactStore.connect(settings)) {
            new Demo(profile, urls, store, Path.of(required(env, "TUNELOOP_DEMO_KEYS")),
                    Path.of(required(env, "TUNELOOP_DEMO_DIR")), seed).run();
        }
    }

    void run() throws Exception {
        List<DemoTasks.Example> examples = new ArrayList<>(DemoTasks.generate(profile.examplesPerTask(), 11));
        DemoTasks.Taught taught = DemoTasks.taught(profile.taughtRecords(), profile.poolPrompts(), profile.evalPrompts(), 11);
        examples.addAll(taught.thin());
        List<String> seedLines = seedData.isPresent() && profile.seedSample() ? Files.readAllLines(seedData.get()) : List.of();
        step("making the base model %s (%s, d=%d, %d layers) and its tokenizer in code", DemoProfile.MODEL,
                profile.model().architecture(), profile.model().hiddenSize(), profile.model().layers());
        uploadBaseModel(examples, seedLines);
        step("phrasings: templates/demo.yaml (16 per task, 2 held out of training), then the dataset spec");
        store.putBytes(Artifacts.TEMPLATES.key("demo.yaml"), resource("/demo-templates.yaml"), "application/yaml");
        stack.post("formatter", "/api/v1/templates/reload", "application/json", new byte[0], dataToken, Map.of()).expect(200, 204);
        stack.put("formatter", "/api/v1/datasets/" + DemoProfile.DATASET + "/spec", datasetSpec(), dataToken).expect(200);
        step("the behaviour to teach, %s: %d records in the upload, %d prompts in review-pools/%s/%s.jsonl for raters,"
                        + " and eval suite %s (%d prompts on other inputs)", DemoTasks.taughtTaskName(), taught.thin().size(),
                taught.pool().size(), DemoProfile.DATASET, DemoProfile.POOL_FILE, DemoProfile.TAUGHT_SUITE, taught.suite().size());
        store.putBytes(Artifacts.REVIEW_POOL.key(new Artifacts.ReviewPoolFile(DemoProfile.DATASET, DemoProfile.POOL_FILE)),
                poolFile(taught.pool()), io.tuneloop.events.JsonLines.CONTENT_TYPE);
        store.putBytes(Artifacts.EVAL_SUITE.key(DemoProfile.TAUGHT_SUITE), suiteFile(taught.suite()),
                io.tuneloop.events.JsonLines.CONTENT_TYPE);

        step("uploading %d synthetic records (%d tasks, %d held out) and %d seed tasks of ../shared/data to ingest",
                examples.size(), DemoTasks.trainedTaskNames().size() + DemoTasks.heldOutTaskNames().size() + 1,
                DemoTasks.heldOutTaskNames().size(), seedLines.size());
        JsonNode upload = stack.post("ingest", "/api/v1/datasets/" + DemoProfile.DATASET + "/uploads?filename=demo.jsonl",
                "application/x-ndjson", uploadBody(examples, seedLines), dataToken, Map.of()).expect(202).json();
        String batchPath = "/api/v1/datasets/" + DemoProfile.DATASET + "/uploads/" + upload.path("batchId").asText();
        JsonNode batch = await("ingest batch " + upload.path("batchId").asText(), Duration.ofMinutes(5), () -> {
            JsonNode state = stack.get("ingest", batchPath, dataToken).expect(200).json();
            return state.hasNonNull("completedAt") ? state : null;
        });
        say("   ingest: %s", summary(batch, "batchId", "sourceFormat", "recordsRead", "recordsAccepted", "recordsRejected",
                "recordsDuplicate"));
        report.put("upload", batch);

        JsonNode v1 = awaitVersion(1);
        RoundResult round1 = trainAndEvaluate(1, profile.runId(1), profile.totalSteps(), profile.shards(),
                "full fine-tuning on CPU from the base");

        step("review: %d responses of round 1 are up for rating; %d simulated raters rate them through the feedback API",
                profile.reviewItemsPerRound(), profile.raters());
        List<DemoTasks.Example> answerKey = new ArrayList<>(examples);
        answerKey.addAll(taught.pool());
        Map<String, Object> ratings = rate(answerKey);
        report.put("ratings", ratings);

        step("the round policy starts round 2 once every item has %d ratings (checks every 3 s)", DemoProfile.OVERLAP);
        JsonNode v2 = awaitVersion(2);
        say("   round 2 data = v1's %d training examples + the feedback samples -> v2 has %d; sources %s",
                v1.path("splitCounts").path("train").asLong(), v2.path("splitCounts").path("train").asLong(),
                v2.path("sourceBatches"));
        RoundResult round2sft = trainAndEvaluate(2, profile.runId(2), profile.roundSteps(), 1,
                String.format("SFT from round 1's final model: %.0f%% of the draws on the feedback samples, the rest a replay of v1",
                        100 * DemoProfile.FEEDBACK_SHARE));
        JsonNode sftSpec = round2sft.run().path("spec");
        Map<String, Object> round2Sft = new LinkedHashMap<>();
        round2Sft.put("run", round2sft.runId());
        round2Sft.put("initFrom", sftSpec.path("initFrom").asText(null));
        round2Sft.put("totalSteps", sftSpec.path("totalSteps").asLong());
        round2Sft.put("feedbackShare", sftSpec.path("feedbackShare").isNumber() ? sftSpec.path("feedbackShare").asDouble() : null);
        report.put("round2Sft", round2Sft);
        long pairs = v2.path("splitCounts").path("preferences").asLong();
        RoundResult round2 = round2sft;
        Map<String, Object> preferences = new LinkedHashMap<>();
        preferences.put("pairs", pairs);
        if (pairs > 0) {
            round2 = trainAndEvaluate(2, profile.runId(2) + "-dpo", profile.preferenceSteps(), 1,
                    "DPO on the " + pairs + " agreed preference pairs, from the SFT run's final model");
            JsonNode steps = stack.get("trainer", "/api/v1/runs/" + round2.runId() + "/steps", viewerToken).expect(200).json();
            JsonNode last = steps.path(steps.size() - 1);
            preferences.put("dpoRun", round2.runId());
            preferences.put("dpoState", round2.run().path("state").asText());
            preferences.put("dpoSteps", steps.size());
            preferences.put("firstLoss", steps.path(0).path("loss").asDouble());
            preferences.put("lastLoss", last.path("loss").asDouble());
            preferences.put("lastRewardMargin", last.path("rewardMargin").asDouble());
            preferences.put("lastRewardAccuracy", last.path("rewardAccuracy").asDouble());
            say("   DPO: %d steps, loss %.3f -> %.3f, reward margin %.3f, accuracy %.2f", steps.size(),
                    steps.path(0).path("loss").asDouble(), last.path("loss").asDouble(), last.path("rewardMargin").asDouble(),
                    last.path("rewardAccuracy").asDouble());
            preferences.put("sftRun", round2sft.runId());
        }
        report.put("preferences", preferences);
        report.put("trainEvalOverlap", Map.of("round1", round1.report().path("trainEvalOverlap"),
                "round2", round2.report().path("trainEvalOverlap")));
        report.put("feedback", feedbackLineage(round2, v1, v2));

        report.put("round1Run", round1.runId());
        report.put("round2Run", round2.runId());
        report.put("round2LastShard", round2.lastShard());
        report.put("scores", scoreTable(round1.report(), round2.report()));
        report.put("artifacts", artifacts(round1, round2));
        report.put("seconds", Duration.between(started, Instant.now()).toSeconds());
        writeReport();
    }

    // ------------------------------------------------------------------------------------ steps

    private void uploadBaseModel(List<DemoTasks.Example> examples, List<String> seedLines) throws IOException {
        List<String> corpus = new ArrayList<>();
        for (DemoTasks.Example e : examples) {
            corpus.add(e.instruction() + "\n" + e.input() + "\n" + e.output());
        }
        corpus.addAll(seedLines);
        corpus.add(new String(resource("/demo-templates.yaml"), StandardCharsets.UTF_8));
        Path dir = Files.createTempDirectory("tuneloop-demo-model");
        try {
            TinyModelFactory.write(dir, profile.model(), corpus, 3);
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    store.putFile(Artifacts.MODEL.prefix(DemoProfile.MODEL) + file.getFileName(), file, null);
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String datasetSpec() {
        ObjectNode spec = StackClient.JSON.createObjectNode();
        spec.put("model", DemoProfile.MODEL);
        spec.put("chatFormat", "model");
        spec.put("phrasingsPerRecord", 2);
        spec.put("validationFraction", 0.1);
        // the review pool: records held back from training, whose answers raters judge (never an eval suite's)
        spec.put("reviewFraction", DemoProfile.REVIEW_FRACTION);
        spec.putPOJO("heldOutTasks", DemoTasks.heldOutTaskNames());
        spec.putPOJO("heldOutTemplates", List.of("demo-07", "demo-08"));
        // the lookup tasks have few distinct records; temperature 2 mixing draws them more often
        spec.putObject("mixing").put("strategy", "temperature").put("temperature", 2.0);
        spec.put("maxTokens", 128);
        spec.put("truncation", "truncate");
        return spec.toString();
    }

    /** The review-pool file: the taught task's prompts as users type them, without answers (raters know them). */
    private static byte[] poolFile(List<DemoTasks.Example> pool) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < pool.size(); i++) {
            ObjectNode line = StackClient.JSON.createObjectNode();
            line.put("id", "p" + (i + 1)).put("task", pool.get(i).task()).put("prompt", DemoTasks.userPrompt(pool.get(i)));
            body.append(line).append('\n');
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The eval suite of the taught behaviour: prompts with their computed answers. */
    private static byte[] suiteFile(List<DemoTasks.Example> suite) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < suite.size(); i++) {
            ObjectNode line = StackClient.JSON.createObjectNode();
            line.put("id", DemoProfile.TAUGHT_SUITE + "-" + (i + 1)).put("task", suite.get(i).task())
                    .put("prompt", DemoTasks.userPrompt(suite.get(i)));
            line.putArray("references").add(suite.get(i).output());
            body.append(line).append('\n');
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] uploadBody(List<DemoTasks.Example> examples, List<String> seedLines) {
        StringBuilder body = new StringBuilder();
        for (DemoTasks.Example e : examples) {
            ObjectNode line = StackClient.JSON.createObjectNode();
            line.put("task", e.task()).put("instruction", e.instruction()).put("input", e.input()).put("output", e.output());
            body.append(line).append('\n');
        }
        for (String line : seedLines) {
            body.append(line).append('\n');
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private JsonNode awaitVersion(int version) {
        String path = "/api/v1/datasets/" + DemoProfile.DATASET + "/versions";
        JsonNode sealed = await("dataset version " + version, Duration.ofMinutes(5), () -> {
            StackClient.Reply reply = stack.get("formatter", path + "/" + version, viewerToken);
            return reply.status() == 200 ? reply.json() : null;
        });
        say("   formatter sealed %s v%d (round %d): %d examples %s, checksum %s…", DemoProfile.DATASET, version,
                sealed.path("round").asInt(), sealed.path("recordCount").asLong(), sealed.path("splitCounts"),
                sealed.path("contentChecksum").asText().substring(0, 12));
        return sealed;
    }

    /** A round's run (started by the trainer's policy) and the eval of its final checkpoint. */
    record RoundResult(String runId, JsonNode run, JsonNode report, int lastShard) {
    }

    private RoundResult trainAndEvaluate(int round, String runId, long totalSteps, int shards, String what) {
        step("round %d: the trainer's policy trains run %s (%d steps, %s, %s)", round, runId, totalSteps,
                shards == 1 ? "one shard" : shards + " shards", what);
        long[] lastStep = {-1};
        JsonNode run = await("run " + runId, ROUND_TIMEOUT, () -> {
            StackClient.Reply reply = stack.get("trainer", "/api/v1/runs/" + runId, viewerToken);
            if (reply.status() != 200) {
                return null;
            }
            JsonNode state = reply.json();
            if (state.path("step").asLong() != lastStep[0] && state.path("step").asLong() > 0) {
                lastStep[0] = state.path("step").asLong();
                say("   step %4d/%d  loss %.3f  %,.0f tokens/s  shard %d/%d  eta %s", lastStep[0], totalSteps,
                        state.path("loss").asDouble(), state.path("tokensPerSecond").asDouble(),
                        Math.min(state.path("completedShards").asInt() + 1, shards), shards,
                        state.path("etaSeconds").isNumber() ? Math.round(state.path("etaSeconds").asDouble()) + " s" : "-");
            }
            String s = state.path("state").asText();
            if (s.equals("FAILED") || s.equals("CANCELLED")) {
                throw new RunFailed("run " + runId + " " + s + ": " + state.path("message").asText());
            }
            return s.equals("SUCCEEDED") ? state : null;
        });
        int lastShard = shards - 1;
        say("   run %s succeeded: final loss %.3f, validation loss %s", runId, run.path("loss").asDouble(),
                run.path("validationLoss").isNumber() ? String.format("%.3f", run.path("validationLoss").asDouble()) : "-");
        step("round %d: eval scores checkpoint shard-%d next to the base (held-out tasks and phrasings, IFEval, general)",
                round, lastShard);
        JsonNode evalReport = await("eval report of " + runId + "/shard-" + lastShard, Duration.ofMinutes(10), () -> {
            StackClient.Reply reply = stack.get("eval", "/api/v1/reports/" + runId + "/shard-" + lastShard, viewerToken);
            return reply.status() == 200 ? reply.json() : null;
        });
        JsonNode phrasings = evalReport.path("suites").path("heldout_phrasings");
        phrasings.fields().forEachRemaining(metric -> say("   heldout_phrasings %-12s base %.3f -> round %d %.3f",
                metric.getKey(), metric.getValue().path("base").asDouble(), round, metric.getValue().path("checkpoint").asDouble()));
        JsonNode overlap = evalReport.path("trainEvalOverlap");
        say("   train/eval overlap of %s v%d: %s contaminated examples trained on (%s dropped, checked against %s)",
                DemoProfile.DATASET, evalReport.path("datasetVersion").asInt(), overlap.path("remaining").asText("?"),
                overlap.path("dropped").asText("?"), overlap.path("checkedSuites"));
        return new RoundResult(runId, run, evalReport, lastShard);
    }

    /** Simulated raters work the queue until it is empty; every rating goes through the API. */
    private Map<String, Object> rate(List<DemoTasks.Example> examples) throws Exception {
        String reviewer = token("demo-reviewer", Roles.REVIEWER);
        int expected = profile.reviewItemsPerRound();
        await(expected + " review items at the feedback service", Duration.ofMinutes(5), () -> {
            JsonNode items = stack.get("feedback", "/api/v1/items?limit=500", reviewer).expect(200).json();
            long ofRound = 0;
            for (JsonNode item : items) {
                if (item.path("dataset").asText().equals(DemoProfile.DATASET) && item.path("round").asInt() == 0) {
                    ofRound++;
                }
            }
            return ofRound >= expected ? ofRound : null;
        });
        ExecutorService pool = Executors.newFixedThreadPool(profile.raters());
        List<Future<Map<String, Integer>>> done = new ArrayList<>();
        for (int r = 0; r < profile.raters(); r++) {
            String rater = "demo-rater-" + (r + 1);
            SimulatedRater judge = new SimulatedRater(examples, 100 + r, 0.1);
            String token = token(rater, Roles.RATER);
            done.add(pool.submit(() -> rateUntilEmpty(judge, token)));
        }
        Map<String, Integer> totals = new LinkedHashMap<>();
        for (Future<Map<String, Integer>> f : done) {
            f.get().forEach((k, v) -> totals.merge(k, v, Integer::sum));
        }
        pool.shutdown();
        say("   ratings: %s", totals);
        JsonNode agreement = stack.get("feedback", "/api/v1/agreement?dataset=" + DemoProfile.DATASET, reviewer).expect(200).json();
        say("   agreement: %s", agreement.has("alphaOrdinal") ? "Krippendorff's alpha (ordinal) "
                + String.format("%.3f", agreement.path("alphaOrdinal").asDouble()) : agreement.toString());
        Map<String, Object> result = new LinkedHashMap<>(totals);
        result.put("agreement", agreement);
        return result;
    }

    private Map<String, Integer> rateUntilEmpty(SimulatedRater judge, String token) {
        Map<String, Integer> counts = new LinkedHashMap<>(Map.of("rated", 0, "corrected", 0));
        StackClient.Reply next = stack.get("feedback", "/api/v1/queue/next?dataset=" + DemoProfile.DATASET, token).expect(200, 204);
        JsonNode assignment = next.status() == 204 ? null : next.json();
        while (assignment != null && assignment.hasNonNull("item")) {
            JsonNode item = assignment.path("item");
            String itemId = item.path("itemId").asText();
            SimulatedRater.Judgement judgement = judge.judge(item.path("task").asText(), item.path("prompt").asText(),
                    item.path("response").asText(), item.path("reference").asText(null));
            ObjectNode body = StackClient.JSON.createObjectNode();
            body.put("likert", judgement.likert());
            body.putPOJO("labels", judgement.labels());
            if (judgement.correctedResponse() != null) {
                body.put("correctedResponse", judgement.correctedResponse());
            }
            // the other answer to the same prompt, side by side: prefer the right one when exactly one is
            JsonNode other = assignment.path("compareWith");
            if (other.isObject()) {
                Optional<String> choice = judge.prefer(item.path("task").asText(), item.path("prompt").asText(),
                        item.path("response").asText(), other.path("response").asText(), item.path("reference").asText(null));
                if (choice.isPresent()) {
                    ObjectNode preference = body.putObject("preference");
                    preference.put("otherItemId", other.path("itemId").asText()).put("choice", choice.get());
                    counts.merge("compared", 1, Integer::sum);
                }
            }
            // one key per (rater, item): a retry after a lost answer is answered with the same rating
            JsonNode answer = stack.post("feedback", "/api/v1/queue/" + StackClient.segment(itemId) + "/rating?next=true&dataset=" + DemoProfile.DATASET,
                    "application/json", body.toString().getBytes(StandardCharsets.UTF_8), token,
                    Map.of("Idempotency-Key", "demo-" + Integer.toHexString((itemId + token).hashCode()))).expect(200, 201).json();
            counts.merge("rated", 1, Integer::sum);
            if (judgement.correctedResponse() != null) {
                counts.merge("corrected", 1, Integer::sum);
            }
            assignment = answer.path("next").isObject() ? answer.path("next") : null;
        }
        return counts;
    }

    /**
     * What round 2 got from the raters, as the trainer's lineage API tells it for round 2's
     * checkpoint: the upload, the feedback round, its samples and the ratings behind each.
     */
    private Map<String, Object> feedbackLineage(RoundResult round2, JsonNode v1, JsonNode v2) {
        int lastShard = round2.lastShard();
        String path = "/api/v1/runs/" + round2.runId() + "/checkpoints/" + lastShard + "/lineage";
        JsonNode lineage = stack.get("trainer", path, viewerToken).expect(200).json();
        JsonNode round = lineage.path("feedbackRounds").path(0);
        Map<String, Object> feedback = new LinkedHashMap<>();
        feedback.put("lineageUrl", stack.url("trainer", path));
        feedback.put("samples", round.path("samples").asLong());
        feedback.put("acceptedRatings", round.path("acceptedRatings").asLong());
        feedback.put("ratingsBehindSamples", lineage.path("ratings").size());
        feedback.put("samplesKey", round.path("samplesKey").asText());
        feedback.put("lineageKey", round.path("lineageKey").asText());
        feedback.put("trainExamplesV1", v1.path("splitCounts").path("train").asLong());
        feedback.put("trainExamplesV2", v2.path("splitCounts").path("train").asLong());
        feedback.put("sourceBatchesV2", v2.path("sourceBatches"));
        List<String> shown = new ArrayList<>();
        for (JsonNode sample : round.path("sampleSources")) {
            if (shown.size() < 3) {
                shown.add(sample.path("kind").asText() + " " + sample.path("itemId").asText() + " <- ratings " + sample.path("ratings"));
            }
        }
        feedback.put("exampleSamples", shown);
        // who did what, as the lineage API shows it
        Map<String, Object> principals = new LinkedHashMap<>();
        List<String> uploaders = new ArrayList<>();
        lineage.path("uploads").forEach(u -> uploaders.add(u.path("principal").asText(null)));
        principals.put("uploads", uploaders);
        principals.put("run", lineage.path("run").path("startedBy").asText(null));
        principals.put("round", round.path("requestedBy").asText(null));
        feedback.put("principals", principals);
        return feedback;
    }

    // ------------------------------------------------------------------------------------ report

    private Map<String, Object> scoreTable(JsonNode round1, JsonNode round2) {
        Map<String, Object> table = new LinkedHashMap<>();
        round1.path("suites").fields().forEachRemaining(suite -> {
            Map<String, Object> metrics = new LinkedHashMap<>();
            suite.getValue().fields().forEachRemaining(metric -> {
                JsonNode second = round2.path("suites").path(suite.getKey()).path(metric.getKey());
                JsonNode vsPrevious = round2.path("againstPreviousRound").path(suite.getKey()).path(metric.getKey());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("base", metric.getValue().path("base").asDouble());
                row.put("round1", metric.getValue().path("checkpoint").asDouble());
                row.put("round1Low", metric.getValue().path("low").asDouble());
                row.put("round1High", metric.getValue().path("high").asDouble());
                row.put("round1Significant", metric.getValue().path("significant").asBoolean());
                row.put("round2", second.isMissingNode() ? null : second.path("checkpoint").asDouble());
                row.put("round2VsRound1", vsPrevious.isMissingNode() ? null : vsPrevious.path("difference").asDouble());
                row.put("round2VsRound1Low", vsPrevious.isMissingNode() ? null : vsPrevious.path("low").asDouble());
                row.put("round2VsRound1High", vsPrevious.isMissingNode() ? null : vsPrevious.path("high").asDouble());
                row.put("prompts", metric.getValue().path("prompts").asInt());
                metrics.put(metric.getKey(), row);
            });
            table.put(suite.getKey(), metrics);
        });
        return table;
    }

    private Map<String, Object> artifacts(RoundResult round1, RoundResult round2) {
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("bucket", store.bucket());
        where.put("baseModel", Artifacts.MODEL.prefix(DemoProfile.MODEL));
        where.put("datasetVersions", Artifacts.DATASETS.prefix(DemoProfile.DATASET));
        where.put("round1Run", Artifacts.RUN.prefix(round1.runId()));
        where.put("round2Run", Artifacts.RUN.prefix(round2.runId()));
        where.put("round1Report", "eval/" + round1.report().path("checkpointId").asText() + "/report.md");
        where.put("round2Report", "eval/" + round2.report().path("checkpointId").asText() + "/report.md");
        where.put("feedback", Artifacts.ROUND.prefix(new Artifacts.Round(DemoProfile.DATASET, 1)));
        return where;
    }

    @SuppressWarnings("unchecked")
    private void writeReport() throws IOException {
        Files.createDirectories(stateDir);
        Files.write(stateDir.resolve("report.json"), StackClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(report));
        StringBuilder text = new StringBuilder();
        text.append("\n==== tuneloop demo report (").append(profile.name()).append(" profile, ")
                .append(report.get("seconds")).append(" s) ====\n\n");
        text.append(String.format("%-20s %-18s %8s %8s %8s   %-28s %s%n", "suite", "metric", "base", "round 1", "round 2",
                "round 1 - base [95% CI]", "round 2 - round 1 [95% CI]"));
        Map<String, Map<String, Map<String, Object>>> scores = (Map<String, Map<String, Map<String, Object>>>) report.get("scores");
        scores.forEach((suite, metrics) -> metrics.forEach((metric, row) -> text.append(String.format(
                "%-20s %-18s %8.3f %8.3f %8s   %-28s %s%n", suite, metric, (double) row.get("base"),
                (double) row.get("round1"), row.get("round2") == null ? "-" : String.format("%.3f", (double) row.get("round2")),
                String.format("%+.3f [%+.3f, %+.3f]%s", (double) row.get("round1") - (double) row.get("base"),
                        (double) row.get("round1Low"), (double) row.get("round1High"),
                        (boolean) row.get("round1Significant") ? " *" : ""),
                row.get("round2VsRound1") == null ? "-" : String.format("%+.3f [%+.3f, %+.3f]%s",
                        (double) row.get("round2VsRound1"), (double) row.get("round2VsRound1Low"),
                        (double) row.get("round2VsRound1High"), (double) row.get("round2VsRound1Low") > 0
                                || (double) row.get("round2VsRound1High") < 0 ? " *" : "")))));
        text.append("(* = the 95% paired-bootstrap interval excludes 0)\n\n");
        Map<String, Object> feedback = (Map<String, Object>) report.get("feedback");
        Map<String, Object> ratings = (Map<String, Object>) report.get("ratings");
        Map<String, Object> pairs = (Map<String, Object>) report.get("preferences");
        text.append(String.format("preference pairs in v2: %s%s%n", pairs.get("pairs"), pairs.containsKey("dpoRun")
                ? String.format("; DPO run %s (%s steps): loss %.3f -> %.3f, reward margin %.3f, accuracy %.2f",
                pairs.get("dpoRun"), pairs.get("dpoSteps"), (double) pairs.get("firstLoss"), (double) pairs.get("lastLoss"),
                (double) pairs.get("lastRewardMargin"), (double) pairs.get("lastRewardAccuracy")) : ""));
        Map<String, JsonNode> overlap = (Map<String, JsonNode>) report.get("trainEvalOverlap");
        text.append(String.format("train/eval overlap (13-grams with every eval suite's prompts): round 1 trained on %s,"
                        + " round 2 on %s contaminated examples (%s and %s dropped when sealing)%n",
                overlap.get("round1").path("remaining").asText("?"), overlap.get("round2").path("remaining").asText("?"),
                overlap.get("round1").path("dropped").asText("?"), overlap.get("round2").path("dropped").asText("?")));
        text.append(String.format("feedback: %s ratings (%s with a correction) by %d raters;"
                        + " %s accepted; %s samples went into round 2%n", ratings.get("rated"), ratings.get("corrected"),
                profile.raters(), feedback.get("acceptedRatings"), feedback.get("samples")));
        text.append(String.format("round 2 data: version 2 = version 1 (%s training examples) + the feedback samples -> %s"
                + " training examples (%+d); sources %s%n", feedback.get("trainExamplesV1"), feedback.get("trainExamplesV2"),
                (long) feedback.get("trainExamplesV2") - (long) feedback.get("trainExamplesV1"), feedback.get("sourceBatchesV2")));
        Map<String, Object> round2Sft = (Map<String, Object>) report.get("round2Sft");
        text.append(String.format("round 2 SFT: run %s from %s's final model, %s steps, %s of the draws on the feedback"
                        + " samples (the rest a replay of version 1); the behaviour the raters taught is suite %s%n",
                round2Sft.get("run"), round2Sft.get("initFrom"), round2Sft.get("totalSteps"),
                round2Sft.get("feedbackShare") == null ? "none" : String.format("%.0f%%", 100 * (double) round2Sft.get("feedbackShare")),
                DemoProfile.TAUGHT_SUITE));
        text.append(String.format("lineage of round 2's checkpoint (run, version, upload, feedback round, %s ratings behind"
                + " the samples): %s%n", feedback.get("ratingsBehindSamples"), feedback.get("lineageUrl")));
        for (Object sample : (List<Object>) feedback.get("exampleSamples")) {
            text.append("  sample: ").append(sample).append('\n');
        }
        text.append("  files: ").append(feedback.get("samplesKey")).append(", ").append(feedback.get("lineageKey")).append("\n\n");
        text.append("artifacts (bucket ").append(((Map<String, Object>) report.get("artifacts")).get("bucket")).append("):\n");
        ((Map<String, Object>) report.get("artifacts")).forEach((k, v) -> text.append(String.format("  %-16s %s%n", k, v)));
        text.append("\nwhere to look:\n");
        text.append("  rater page     ").append(stack.url("feedback", "/rate/")).append("   (token: ./tuneloop local demo token <you> --role rater --team demo)\n");
        for (String service : urls.keySet()) {
            text.append(String.format("  %-14s %s   %s%n", service, stack.url(service, "/q/swagger-ui"), stack.url(service, "/q/metrics")));
        }
        text.append("  eval reports   ").append(stack.url("eval", "/api/v1/reports/" + report.get("round2Run") + "/shard-"
                        + report.get("round2LastShard") + "/markdown"))
                .append('\n');
        text.append("  this report    ").append(stateDir.resolve("report.md")).append(" (and report.json)\n");
        Files.writeString(stateDir.resolve("report.md"), text.toString());
        System.out.print(text);
    }

    // ------------------------------------------------------------------------------------ helpers

    /** A run ended without succeeding: waiting longer cannot help. */
    static final class RunFailed extends RuntimeException {
        RunFailed(String message) {
            super(message);
        }
    }

    private <T> T await(String what, Duration timeout, Supplier<T> probe) {
        Instant deadline = Instant.now().plus(timeout);
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
            } catch (RunFailed e) {
                throw e;
            } catch (IllegalStateException | UncheckedIOException e) {
                last = e;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
        throw new IllegalStateException("timed out after " + timeout.toMinutes() + " min waiting for " + what
                + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
    }

    private void step(String format, Object... args) {
        say("[" + elapsed() + "] " + format, args);
    }

    private String elapsed() {
        long s = Duration.between(started, Instant.now()).toSeconds();
        return String.format("%02d:%02d", s / 60, s % 60);
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
        System.out.flush();
    }

    private static String summary(JsonNode node, String... fields) {
        StringBuilder out = new StringBuilder();
        for (String field : fields) {
            if (node.has(field)) {
                out.append(field).append('=').append(node.get(field).isTextual() ? node.get(field).asText() : node.get(field)).append(' ');
            }
        }
        return out.isEmpty() ? node.toString() : out.toString().strip();
    }

    private static byte[] resource(String name) {
        try (InputStream in = Demo.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set (run the demo with ./tuneloop local demo)");
        }
        return value;
    }
}
