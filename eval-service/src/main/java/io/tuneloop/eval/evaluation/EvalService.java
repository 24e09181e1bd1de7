package io.tuneloop.eval.evaluation;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.eval.ifeval.IfEvalPrompt;
import io.tuneloop.events.Channels;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Topics;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.EvalResult;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.generate.StopTokens;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.service.messaging.Events;
import io.tuneloop.store.Artifact;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.LocalCopies;
import io.tuneloop.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Evaluates a checkpoint on every suite next to its base model, writes report.json and report.md
 * (the report last: it marks the evaluation done, so a redelivered checkpoint event is not evaluated
 * again and a crash mid-evaluation leaves no report and is redone), announces {@code eval-results},
 * and puts a sample of responses up for review on {@code review-items}: tasks covered in turn, within
 * a task the responses the model was least sure of (highest mean next-token entropy) first.
 */
@ApplicationScoped
public class EvalService {
    private static final Logger LOG = Logger.getLogger(EvalService.class);
    private static final Artifact<Artifacts.CheckpointRef, EvalReport> REPORTS = Artifacts.EVAL_REPORT.as(EvalReport.class);
    private static final Artifact<String, SuiteSelection> SELECTIONS = Artifacts.RUN_EVAL_SELECTION.as(SuiteSelection.class);

    private final ArtifactStore store;
    private final MutinyEmitter<EvalResult> results;
    private final MutinyEmitter<ReviewItem> reviewItems;
    private final MeterRegistry meters;
    private final Path work;
    private final LocalCopies copies;
    private final SuiteRunner.Settings settings;
    private final int reviewItemsPerCheckpoint;
    private final Map<String, AtomicReference<Double>> gauges = new ConcurrentHashMap<>();
    /** The base model's results by (base, dataset version, suites); a few kept, least recently used dropped. */
    private final Map<String, SuiteRunner.ModelResults> baseResultsCache = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, SuiteRunner.ModelResults> eldest) {
                    return size() > 4;
                }
            });

    public EvalService(ArtifactStore store,
                       @Channel(Channels.EVAL_RESULTS_OUT) MutinyEmitter<EvalResult> results,
                       @Channel(Channels.REVIEW_ITEMS_OUT) MutinyEmitter<ReviewItem> reviewItems,
                       MeterRegistry meters,
                       @ConfigProperty(name = "tuneloop.eval.work-dir") java.util.Optional<String> workDir,
                       @ConfigProperty(name = "tuneloop.eval.batch-size", defaultValue = "8") int batchSize,
                       @ConfigProperty(name = "tuneloop.eval.max-new-tokens", defaultValue = "64") int maxNewTokens,
                       @ConfigProperty(name = "tuneloop.eval.max-prompts-per-suite", defaultValue = "200") int maxPrompts,
                       @ConfigProperty(name = "tuneloop.eval.validation-examples", defaultValue = "128") int validation,
                       @ConfigProperty(name = "tuneloop.eval.review-items", defaultValue = "20") int reviewItemsPerCheckpoint) {
        this.store = store;
        this.results = results;
        this.reviewItems = reviewItems;
        this.meters = meters;
        this.work = Path.of(workDir.orElse(System.getProperty("java.io.tmpdir") + "/tuneloop-eval"));
        this.copies = new LocalCopies(store, work); // a model folder is never rewritten: copied once
        this.settings = new SuiteRunner.Settings(batchSize, maxNewTokens, maxPrompts, validation);
        this.reviewItemsPerCheckpoint = reviewItemsPerCheckpoint;
    }

    public Optional<EvalReport> report(String checkpointId) {
        Artifacts.CheckpointRef checkpoint;
        try {
            checkpoint = Artifacts.CheckpointRef.of(checkpointId);
        } catch (IllegalArgumentException notACheckpoint) {
            return Optional.empty();
        }
        return REPORTS.find(store, checkpoint);
    }

    /**
     * Evaluates the checkpoint unless its report exists; returns the report either way. A redelivered
     * checkpoint whose report exists has its events sent again: the eval that wrote the report may
     * have died before announcing it, and the events' ids make the repeat harmless downstream.
     */
    public EvalReport evaluate(Checkpoint checkpoint) {
        Optional<EvalReport> done = report(checkpoint.checkpointId());
        if (done.isPresent()) {
            LOG.infof("checkpoint %s already evaluated; its result and review items are sent again", checkpoint.checkpointId());
            announce(checkpoint, done.get());
            return done.get();
        }
        long started = System.nanoTime();
        String baseModel = Artifacts.MODEL.address(checkpoint.baseModel()).orElseThrow(() -> new IllegalArgumentException(
                "checkpoint " + checkpoint.checkpointId() + " names base model " + checkpoint.baseModel()
                        + ", which is not a model's folder"));
        Artifacts.CheckpointRef tunedRef = Artifacts.CHECKPOINT.address(checkpoint.prefix()).orElseThrow(() ->
                new IllegalArgumentException("checkpoint " + checkpoint.checkpointId() + " is at " + checkpoint.prefix()
                        + ", which is not a checkpoint's folder"));
        DatasetManifest version = Artifacts.DATASET_MANIFEST.read(store, new Artifacts.Version(checkpoint.dataset(),
                checkpoint.datasetVersion()));
        List<InstructionRecord> examples = evaluationExamples(version);
        SuiteSelection selection = selection(checkpoint.runId());
        SuiteRunner.PromptSuites suites = suites();
        Path base = copies.of(Artifacts.MODEL, baseModel, "models/" + baseModel);
        Path tuned = Artifacts.CHECKPOINT.download(store, tunedRef, work.resolve("checkpoints").resolve(checkpoint.checkpointId()));

        // every checkpoint of a run is compared with the same base on the same prompts: score the base once
        String baseKey = String.join("|", baseModel, checkpoint.dataset(), String.valueOf(checkpoint.datasetVersion()),
                selection.toString(), suitesKey(suites));
        SuiteRunner.ModelResults baseResults = baseResultsCache.get(baseKey);
        SuiteRunner.ModelResults tunedResults;
        try (NDManager root = NDManager.newBaseManager(Device.cpu());
             TextTokenizer tokenizer = TextTokenizer.load(base)) {
            Set<Long> stops = StopTokens.of(base, tokenizer);
            if (baseResults == null) {
                try (DecoderModel model = Models.load(base, root, Device.cpu())) {
                    baseResults = SuiteRunner.run(model, tokenizer, stops, examples, suites, selection, settings, root);
                }
                baseResultsCache.put(baseKey, baseResults);
            } else {
                LOG.debugf("base %s on %s v%d: scores reused", baseModel, checkpoint.dataset(), checkpoint.datasetVersion());
                meters.counter("tuneloop.eval.base.reused").increment();
            }
            try (DecoderModel model = Models.loadCheckpoint(base, tuned, root, Device.cpu())) {
                tunedResults = SuiteRunner.run(model, tokenizer, stops, examples, suites, selection, settings, root);
            }
        }
        EvalReport report = EvalReport.compare(checkpoint.checkpointId(), checkpoint.runId(), checkpoint.round(),
                checkpoint.dataset(), checkpoint.datasetVersion(), baseModel, tunedResults, baseResults, Instant.now());
        if (checkpoint.round() > 0) {
            Optional<EvalReport> previous = latestOfRound(checkpoint.dataset(), checkpoint.round() - 1);
            if (previous.isPresent()) {
                report = report.againstPrevious(previous.get());
            }
        }
        Artifacts.EVAL_REPORT_MARKDOWN.write(store, tunedRef, report.markdown().getBytes(StandardCharsets.UTF_8));
        REPORTS.write(store, tunedRef, report);
        if (checkpoint.last()) {
            Artifacts.EVAL_ROUND_FINAL.write(store, new Artifacts.Round(checkpoint.dataset(), checkpoint.round()),
                    checkpoint.checkpointId().getBytes(StandardCharsets.UTF_8));
        }
        announce(checkpoint, report);
        record(checkpoint, report, System.nanoTime() - started);
        return report;
    }

    /** The report of the final checkpoint of the dataset's round {@code round}, if one was evaluated. */
    private Optional<EvalReport> latestOfRound(String dataset, int round) {
        return Artifacts.EVAL_ROUND_FINAL.find(store, new Artifacts.Round(dataset, round))
                .flatMap(id -> report(new String(id, StandardCharsets.UTF_8)));
    }

    private void announce(Checkpoint checkpoint, EvalReport report) {
        results.sendMessageAndAwait(Events.message(Topics.EVAL_RESULTS, checkpoint.runId(), new EvalResult(
                checkpoint.checkpointId(), checkpoint.runId(), checkpoint.round(),
                REPORTS.key(Artifacts.CheckpointRef.of(checkpoint.checkpointId())), report.headline(false), report.headline(true),
                report.evaluatedAt()), "eval-result:" + checkpoint.checkpointId()));
        for (SuiteRunner.PromptResult r : forReview(report.responses(), reviewItemsPerCheckpoint)) {
            String itemId = checkpoint.checkpointId() + "/" + r.suite() + "/" + r.promptId();
            reviewItems.sendMessageAndAwait(Events.message(Topics.REVIEW_ITEMS, checkpoint.dataset(), new ReviewItem(itemId,
                    checkpoint.checkpointId(), checkpoint.runId(), checkpoint.round(), checkpoint.dataset(),
                    checkpoint.datasetVersion(), r.suite(),
                    r.task(), r.prompt(), r.response(), r.reference(), r.uncertainty(), report.evaluatedAt()),
                    "review-item:" + itemId));
        }
    }

    /** Up to {@code limit} responses: tasks in turn, within a task the least certain first. */
    static List<SuiteRunner.PromptResult> forReview(List<SuiteRunner.PromptResult> responses, int limit) {
        Map<String, List<SuiteRunner.PromptResult>> byTask = new LinkedHashMap<>();
        responses.stream().sorted(Comparator.comparing((SuiteRunner.PromptResult r) -> r.suite() + "/" + r.task())
                        .thenComparing(Comparator.comparingDouble(SuiteRunner.PromptResult::uncertainty).reversed())
                        .thenComparing(SuiteRunner.PromptResult::promptId))
                .forEach(r -> byTask.computeIfAbsent(r.suite() + "/" + r.task(), t -> new ArrayList<>()).add(r));
        List<SuiteRunner.PromptResult> picked = new ArrayList<>();
        for (int round = 0; picked.size() < limit; round++) {
            boolean any = false;
            for (List<SuiteRunner.PromptResult> task : byTask.values()) {
                if (round < task.size() && picked.size() < limit) {
                    picked.add(task.get(round));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return picked;
    }

    private void record(Checkpoint checkpoint, EvalReport report, long nanos) {
        meters.timer("tuneloop.eval.duration").record(nanos, TimeUnit.NANOSECONDS);
        meters.counter("tuneloop.eval.generated.tokens").increment(report.generatedTokens());
        gauge("tuneloop.eval.generated.tokens.per.second", Tags.of("run", checkpoint.runId()))
                .set(report.generatedTokens() / Math.max(1e-9, report.seconds()));
        Map<String, Double> base = report.headline(true);
        report.headline(false).forEach((metric, value) -> {
            gauge("tuneloop.eval.score", Tags.of("run", checkpoint.runId(), "round", String.valueOf(checkpoint.round()),
                    "metric", metric)).set(value);
            Double baseValue = base.get(metric);
            if (baseValue != null) { // the latest checkpoint of the dataset against its base: alerts on regressions
                gauge("tuneloop.eval.delta.vs.base", Tags.of("dataset", checkpoint.dataset(), "metric", metric))
                        .set(value - baseValue);
            }
        });
        LOG.infof("checkpoint %s evaluated: %s (base %s)", checkpoint.checkpointId(), report.headline(false),
                report.headline(true));
    }

    private AtomicReference<Double> gauge(String name, Tags tags) {
        return gauges.computeIfAbsent(name + tags, k -> {
            AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
            meters.gauge(name, tags, value, AtomicReference::get);
            return value;
        });
    }

    /** The base, with the checkpoint's LoRA adapter when it holds one, else the checkpoint's own weights. */

    /** The run's suite selection ({@code runs/<runId>/eval.json}), or every suite. */
    SuiteSelection selection(String runId) {
        try {
            return SELECTIONS.find(store, runId).orElseGet(SuiteSelection::all);
        } catch (io.tuneloop.events.MalformedEventException e) {
            throw new IllegalArgumentException(SELECTIONS.key(runId) + " is not a valid suite selection: " + e.getMessage(), e);
        }
    }

    /** The bundled suites plus prompt files under {@code eval/suites/} in the bucket (a file's name is its suite). */
    SuiteRunner.PromptSuites suites() {
        SuiteRunner.PromptSuites bundled = SuiteRunner.PromptSuites.bundled();
        Map<String, List<IfEvalPrompt>> instructions = new LinkedHashMap<>(bundled.instructions());
        Map<String, List<ReferencePrompt>> references = new LinkedHashMap<>(bundled.references());
        for (String name : Artifacts.EVAL_SUITE.list(store)) {
            byte[] content = Artifacts.EVAL_SUITE.read(store, name);
            String text = new String(content, StandardCharsets.UTF_8);
            try {
                if (text.contains("\"instructions\"")) {
                    instructions.put(name, IfEvalPrompt.read(content));
                } else {
                    references.put(name, ReferencePrompt.read(content));
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("suite file " + Artifacts.EVAL_SUITE.key(name) + " is not valid: "
                        + e.getMessage(), e);
            }
        }
        return new SuiteRunner.PromptSuites(instructions, references);
    }

    /** Held-out and validation examples of the version (the suites that come from it). */
    private List<InstructionRecord> evaluationExamples(DatasetManifest version) {
        List<InstructionRecord> examples = new ArrayList<>();
        Artifacts.Version address = new Artifacts.Version(version.dataset(), version.version());
        for (DatasetManifest.ShardEntry shard : version.shards()) {
            if (!shard.split().equals("train")) {
                Artifacts.DATASET_SHARD.<InstructionRecord>forEach(store, new Artifacts.VersionFile(address, shard.name()),
                        examples::add);
            }
        }
        return examples;
    }

    /** Identifies the prompt sets by content (records hash by value), for the base results cache. */
    private static String suitesKey(SuiteRunner.PromptSuites suites) {
        StringBuilder key = new StringBuilder();
        suites.instructions().forEach((name, prompts) -> key.append(name).append(':').append(prompts.hashCode()).append(','));
        suites.references().forEach((name, prompts) -> key.append(name).append(':').append(prompts.hashCode()).append(','));
        return key.toString();
    }
}
