package io.tuneloop.eval.rest;

import jakarta.annotation.security.RolesAllowed;
import io.tuneloop.tokens.Roles;
import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.service.auth.Caller;
import io.smallrye.common.annotation.Blocking;
import io.tuneloop.eval.flow.EvalReport;
import io.tuneloop.eval.flow.Evaluations;
import jakarta.inject.Inject;
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
import java.util.List;
import java.util.Map;

/** Evaluation reports: one checkpoint's, two checkpoints compared, and a run's leaderboard. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "reports")
@Blocking
public class ReportResource {
    @Inject Evaluations evaluations;
    @Inject DatasetOwners owners;
    @Inject Caller caller;

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER, Roles.REVIEWER})
    @Path("/reports/{runId}/{shard}")
    @Operation(summary = "The report of checkpoint <runId>/<shard>: every suite and metric vs the base model, with"
            + " 95% paired-bootstrap intervals, per-task scores and the responses")
    public EvalReport report(@PathParam("runId") String runId, @PathParam("shard") String shard) {
        return find(runId + "/" + shard);
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER, Roles.REVIEWER})
    @Path("/reports/{runId}/{shard}/markdown")
    @Produces("text/markdown")
    @Operation(summary = "The same report as a page to read")
    public String markdown(@PathParam("runId") String runId, @PathParam("shard") String shard) {
        return find(runId + "/" + shard).markdown();
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER, Roles.REVIEWER})
    @Path("/compare")
    @Operation(summary = "Compare two checkpoints (ids <runId>/shard-<k>) prompt by prompt: per suite and metric b's"
            + " and a's means and b - a with a 95% paired-bootstrap interval (in the fields checkpoint = b, base = a)")
    public Map<String, Map<String, EvalReport.Comparison>> compare(@QueryParam("a") String a, @QueryParam("b") String b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException("give two checkpoint ids: ?a=<runId>/shard-<k>&b=<runId>/shard-<k>");
        }
        return EvalReport.pairwise(find(b).responses(), find(a).responses());
    }

    /** A run's checkpoint with its headline scores. */
    public record Entry(String checkpointId, Map<String, Double> scores, Double validationLoss) {
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER, Roles.REVIEWER})
    @Path("/runs/{runId}/leaderboard")
    @Operation(summary = "Every evaluated checkpoint of a run with its headline scores, best held-out ROUGE-L first")
    public List<Entry> leaderboard(@PathParam("runId") String runId) {
        List<Entry> entries = new ArrayList<>();
        for (String checkpointId : evaluations.evaluated(runId)) {
            evaluations.report(checkpointId).filter(this::visible).ifPresent(r -> entries.add(new Entry(checkpointId, r.headline(false),
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
        return evaluations.report(checkpointId).filter(this::visible)
                .orElseThrow(() -> new NotFoundException("no report for " + checkpointId));
    }

    /** A report belongs to its dataset's team; another team's is no report at all. */
    private boolean visible(EvalReport report) {
        return owners.visible(report.dataset(), caller);
    }

}
