package io.tuneloop.eval.flow;

import io.tuneloop.eval.ifeval.IfEvalPrompt;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.EvalResult;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.service.idempotency.Idempotency;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evaluates a checkpoint on every suite next to its base model, writes report.json and report.md
 * (the report last: it marks the evaluation done, so a redelivered checkpoint event is not evaluated
 * again and a crash mid-evaluation leaves no report and is redone), announces the result, and puts
 * a sample of responses up for review: tasks covered in turn, within a task the responses the model
 * was least sure of (highest mean next-token entropy) first.
 *
 * <p>Plain Java over its ports: the store ({@link EvalStore}), the events ({@link EvalEvents}), the
 * model runs ({@link Scoring}), metrics and a clock.
 */
public final class Evaluations {
    private static final Logger LOG = Logger.getLogger(Evaluations.class);

    private final EvalStore store;
    private final EvalEvents events;
    private final Scoring scoring;
    private final EvalMetrics metrics;
    private final Clock clock;
    private final int reviewItemsPerCheckpoint;
    /** The base model's results by (base, dataset version, suites); a few kept, least recently used dropped. */
    private final Map<String, SuiteRunner.ModelResults> baseResults = Collections.synchronizedMap(
            new LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, SuiteRunner.ModelResults> eldest) {
                    return size() > 4;
                }
            });

    public Evaluations(EvalStore store, EvalEvents events, Scoring scoring, EvalMetrics metrics, Clock clock,
                       int reviewItemsPerCheckpoint) {
        this.store = store;
        this.events = events;
        this.scoring = scoring;
        this.metrics = metrics;
        this.clock = clock;
        this.reviewItemsPerCheckpoint = reviewItemsPerCheckpoint;
    }

    public Optional<EvalReport> report(String checkpointId) {
        return store.report(checkpointId);
    }

    /** The evaluated checkpoints of a run. */
    public List<String> evaluated(String runId) {
        return store.evaluated(runId);
    }

    /**
     * Evaluates the checkpoint unless its report exists; returns the report either way. A redelivered
     * checkpoint whose report exists has its events sent again: the eval that wrote the report may
     * have died before announcing it, and the events' ids make the repeat harmless downstream.
     */
    public EvalReport evaluate(Checkpoint checkpoint) {
        return Idempotency.once(() -> store.report(checkpoint.checkpointId()), () -> score(checkpoint), report -> {
            announce(checkpoint, report);
            return report;
        });
    }

    /** Scores the checkpoint and its base and writes the report (report.json last: the marker). */
    private EvalReport score(Checkpoint checkpoint) {
        long started = System.nanoTime();
        String baseModel = store.baseModelName(checkpoint);
        DatasetManifest version = store.datasetManifest(checkpoint.dataset(), checkpoint.datasetVersion());
        List<InstructionRecord> examples = store.evaluationExamples(version);
        SuiteSelection selection = store.selection(checkpoint.runId());
        SuiteRunner.PromptSuites suites = suites();

        // every checkpoint of a run is compared with the same base on the same prompts: score the base once
        String baseKey = String.join("|", baseModel, checkpoint.dataset(), String.valueOf(checkpoint.datasetVersion()),
                selection.toString(), suitesKey(suites));
        SuiteRunner.ModelResults base = baseResults.get(baseKey);
        if (base == null) {
            base = scoring.score(checkpoint, true, examples, suites, selection, List.of());
            baseResults.put(baseKey, base);
        } else {
            LOG.debugf("base %s on %s v%d: scores reused", baseModel, checkpoint.dataset(), checkpoint.datasetVersion());
            metrics.baseReused();
        }
        SuiteRunner.ModelResults tuned = scoring.score(checkpoint, false, examples, suites, selection,
                reviewPoolPrompts(checkpoint.dataset()));
        EvalReport report = EvalReport.compare(checkpoint.checkpointId(), checkpoint.runId(), checkpoint.round(),
                checkpoint.dataset(), checkpoint.datasetVersion(), baseModel, tuned, base, clock.instant());
        // the suites this report scores that are not the version's own held-out splits
        java.util.Set<String> scoredSuites = new java.util.TreeSet<>();
        report.suites().keySet().stream().filter(s -> !s.startsWith("heldout") && !s.equals(SuiteRunner.VALIDATION))
                .forEach(scoredSuites::add);
        report = report.withOverlap(EvalReport.Overlap.of(version, scoredSuites));
        if (checkpoint.round() > 0) {
            Optional<EvalReport> previous = store.finalOfRound(checkpoint.dataset(), checkpoint.round() - 1)
                    .flatMap(store::report);
            if (previous.isPresent()) {
                report = report.againstPrevious(previous.get());
            }
        }
        store.writeReport(checkpoint.checkpointId(), report);
        if (checkpoint.last()) {
            store.markFinalOfRound(checkpoint.dataset(), checkpoint.round(), checkpoint.checkpointId());
        }
        metrics.evaluated(checkpoint, report, System.nanoTime() - started);
        LOG.infof("checkpoint %s evaluated: %s (base %s)", checkpoint.checkpointId(), report.headline(false),
                report.headline(true));
        return report;
    }

    private void announce(Checkpoint checkpoint, EvalReport report) {
        events.result(new EvalResult(checkpoint.checkpointId(), checkpoint.runId(), checkpoint.round(),
                store.reportKey(checkpoint.checkpointId()), report.headline(false), report.headline(true),
                report.evaluatedAt()));
        List<SuiteRunner.PromptResult> pool = report.responses().stream()
                .filter(r -> r.suite().equals(ReviewPool.SUITE)).toList();
        // the review pool's answers when the version has one (two per prompt: raters compare them);
        // else a sample of the eval responses, which the round policy never trains on
        List<SuiteRunner.PromptResult> shown = pool.isEmpty() ? forReview(report.responses(), reviewItemsPerCheckpoint) : pool;
        LOG.infof("checkpoint %s: %d review items (%s)", checkpoint.checkpointId(), shown.size(),
                pool.isEmpty() ? "eval responses: the version has no review pool, they never become training data"
                        : "answers to the review pool's prompts");
        for (SuiteRunner.PromptResult r : shown) {
            String itemId = checkpoint.checkpointId() + "/" + r.suite() + "/" + r.promptId();
            events.reviewItem(new ReviewItem(itemId, checkpoint.checkpointId(), checkpoint.runId(), checkpoint.round(),
                    checkpoint.dataset(), checkpoint.datasetVersion(), r.suite(), r.task(), r.prompt(), r.response(),
                    r.reference(), r.uncertainty(), report.evaluatedAt()));
        }
    }

    /** Up to {@code limit} responses: tasks in turn, within a task the least certain first. */
    static List<SuiteRunner.PromptResult> forReview(List<SuiteRunner.PromptResult> responses, int limit) {
        Map<String, List<SuiteRunner.PromptResult>> byTask = new LinkedHashMap<>();
        responses.stream().filter(r -> !r.suite().equals(ReviewPool.SUITE))
                .sorted(Comparator.comparing((SuiteRunner.PromptResult r) -> r.suite() + "/" + r.task())
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

    /**
     * The dataset's review-pool files' prompts, in file order. A file that is not a prompt file is left
     * out with a warning naming it and why: it must not stop the checkpoint's evaluation.
     */
    List<ReviewPool.FilePrompt> reviewPoolPrompts(String dataset) {
        List<ReviewPool.FilePrompt> prompts = new ArrayList<>();
        store.reviewPoolFiles(dataset).forEach((name, content) -> {
            try {
                prompts.addAll(ReviewPool.read(name, content));
            } catch (RuntimeException e) {
                LOG.warnf("review pool %s of %s left out: %s", name, dataset, e.getMessage());
                metrics.reviewPoolFileRefused(dataset);
            }
        });
        return prompts;
    }

    /** The bundled suites plus the operator's prompt files (a file's name is its suite). */
    SuiteRunner.PromptSuites suites() {
        SuiteRunner.PromptSuites bundled = SuiteRunner.PromptSuites.bundled();
        Map<String, List<IfEvalPrompt>> instructions = new LinkedHashMap<>(bundled.instructions());
        Map<String, List<ReferencePrompt>> references = new LinkedHashMap<>(bundled.references());
        store.operatorSuites().forEach((name, content) -> {
            try {
                if (new String(content, StandardCharsets.UTF_8).contains("\"instructions\"")) {
                    instructions.put(name, IfEvalPrompt.read(content));
                } else {
                    references.put(name, ReferencePrompt.read(content));
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("suite file " + name + " is not valid: " + e.getMessage(), e);
            }
        });
        return new SuiteRunner.PromptSuites(instructions, references);
    }

    /** Identifies the prompt sets by content (records hash by value), for the base results cache. */
    private static String suitesKey(SuiteRunner.PromptSuites suites) {
        StringBuilder key = new StringBuilder();
        suites.instructions().forEach((name, prompts) -> key.append(name).append(':').append(prompts.hashCode()).append(','));
        suites.references().forEach((name, prompts) -> key.append(name).append(':').append(prompts.hashCode()).append(','));
        return key.toString();
    }
}
