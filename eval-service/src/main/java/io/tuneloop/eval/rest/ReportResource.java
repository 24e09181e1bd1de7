package io.tuneloop.eval.rest;

import io.smallrye.common.annotation.Blocking;
import io.tuneloop.eval.evaluation.EvalReport;
import io.tuneloop.eval.evaluation.EvalService;
import io.tuneloop.eval.evaluation.SuiteRunner;
import io.tuneloop.eval.metrics.Bootstrap;
import io.tuneloop.store.ArtifactStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Evaluation reports: one checkpoint's, two checkpoints compared, and a run's leaderboard. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "reports")
@Blocking
public class ReportResource {
    private final EvalService evaluations;
    private final ArtifactStore store;

    public ReportResource(EvalService evaluations, ArtifactStore store) {
        this.evaluations = evaluations;
        this.store = store;
    }

    @GET
    @Path("/reports/{runId}/{shard}")
    @Operation(summary = "The report of checkpoint <runId>/<shard>: every suite and metric vs the base model, with"
            + " 95% paired-bootstrap intervals, per-task scores and the responses")
    public EvalReport report(@PathParam("runId") String runId, @PathParam("shard") String shard) {
        return find(runId + "/" + shard);
    }

    @GET
    @Path("/reports/{runId}/{shard}/markdown")
    @Produces("text/markdown")
    @Operation(summary = "The same report as a page to read")
    public String markdown(@PathParam("runId") String runId, @PathParam("shard") String shard) {
        return find(runId + "/" + shard).markdown();
    }

    /** One metric of two checkpoints on the same prompts. */
    public record MetricComparison(double a, double b, double difference, double low, double high, boolean significant,
                                   int prompts) {
    }

    @GET
    @Path("/compare")
    @Operation(summary = "Compare two checkpoints (ids <runId>/shard-<k>) prompt by prompt: b - a per suite and"
            + " metric, with a 95% paired-bootstrap interval")
    public Map<String, MetricComparison> compare(@QueryParam("a") String a, @QueryParam("b") String b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException("give two checkpoint ids: ?a=<runId>/shard-<k>&b=<runId>/shard-<k>");
        }
        Map<String, SuiteRunner.PromptResult> first = new HashMap<>();
        find(a).responses().forEach(r -> first.put(r.suite() + "/" + r.promptId(), r));
        Map<String, List<double[]>> pairs = new TreeMap<>();
        for (SuiteRunner.PromptResult r : find(b).responses()) {
            SuiteRunner.PromptResult other = first.get(r.suite() + "/" + r.promptId());
            if (other == null) {
                continue;
            }
            r.scores().forEach((metric, value) -> {
                Double before = other.scores().get(metric);
                if (before != null) {
                    pairs.computeIfAbsent(r.suite() + "." + metric, k -> new ArrayList<>()).add(new double[] {before, value});
                }
            });
        }
        Map<String, MetricComparison> out = new LinkedHashMap<>();
        pairs.forEach((metric, values) -> {
            double[] x = values.stream().mapToDouble(v -> v[0]).toArray();
            double[] y = values.stream().mapToDouble(v -> v[1]).toArray();
            Bootstrap.Interval interval = Bootstrap.pairedDifference(x, y, 1000, 20261122L);
            out.put(metric, new MetricComparison(mean(x), mean(y), interval.meanDifference(), interval.low(),
                    interval.high(), interval.significant(), x.length));
        });
        return out;
    }

    /** A run's checkpoint with its headline scores. */
    public record Entry(String checkpointId, Map<String, Double> scores, Double validationLoss) {
    }

    @GET
    @Path("/runs/{runId}/leaderboard")
    @Operation(summary = "Every evaluated checkpoint of a run with its headline scores, best held-out ROUGE-L first")
    public List<Entry> leaderboard(@PathParam("runId") String runId) {
        List<Entry> entries = new ArrayList<>();
        for (String prefix : store.listPrefixes("eval/" + runId + "/")) {
            String checkpointId = prefix.substring("eval/".length(), prefix.length() - 1);
            evaluations.report(checkpointId).ifPresent(r -> entries.add(new Entry(checkpointId, r.headline(false),
                    r.validationLoss())));
        }
        if (entries.isEmpty()) {
            throw new NotFoundException("no evaluated checkpoint of run " + runId);
        }
        entries.sort(Comparator.comparingDouble((Entry e) -> -e.scores().getOrDefault("heldout_phrasings.rougeL",
                e.scores().getOrDefault("heldout_tasks.rougeL", 0.0))).thenComparing(Entry::checkpointId));
        return entries;
    }

    private EvalReport find(String checkpointId) {
        return evaluations.report(checkpointId).orElseThrow(() -> new NotFoundException("no report for " + checkpointId));
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? 0 : sum / values.length;
    }
}
