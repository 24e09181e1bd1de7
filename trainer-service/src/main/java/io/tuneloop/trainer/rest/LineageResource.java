package io.tuneloop.trainer.rest;

import jakarta.annotation.security.RolesAllowed;
import io.tuneloop.tokens.Roles;
import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.service.auth.Caller;
import io.tuneloop.service.rest.ErrorMappers;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.trainer.lineage.CheckpointLineage;
import io.tuneloop.trainer.flow.Runs;
import io.tuneloop.trainer.store.RunArtifacts;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.Optional;

/** Where a checkpoint came from: run, dataset version, uploads, feedback rounds and ratings. */
@Path("/api/v1/runs/{runId}/checkpoints/{shard}/lineage")
@Produces(MediaType.APPLICATION_JSON)
public class LineageResource {
    @Inject RunArtifacts artifacts;
    @Inject Runs trainer;
    @Inject DatasetOwners owners;
    @Inject Caller caller;

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER, Roles.DATA, Roles.REVIEWER})
    @Operation(summary = "The lineage of checkpoint {shard} (an index, or 'final' for the run's last) of a run:"
            + " its run, dataset version, the uploads and feedback rounds in that version and the ratings behind them")
    public Response lineage(@PathParam("runId") String runId, @PathParam("shard") String shard) {
        // another team's run is no run at all
        Optional<io.tuneloop.trainer.flow.RunState> known = trainer.run(runId)
                .filter(r -> owners.visible(r.spec().dataset(), caller));
        if (known.isEmpty()) {
            return ErrorMappers.error(Response.Status.NOT_FOUND, "no run " + runId);
        }
        int index;
        if (shard.equals("final")) {
            index = known.get().shardCount() - 1;
        } else {
            try {
                index = Integer.parseInt(shard.startsWith("shard-") ? shard.substring(6) : shard);
            } catch (NumberFormatException e) {
                return ErrorMappers.error(Response.Status.BAD_REQUEST, "shard must be a number, shard-<n> or final; was " + shard);
            }
        }
        ArtifactStore store = artifacts.store();
        Optional<CheckpointLineage> lineage = index < 0 ? Optional.empty()
                : CheckpointLineage.of(runId, index, key -> store.exists(key) ? Optional.of(store.getBytes(key)) : Optional.empty());
        return lineage.map(l -> Response.ok(l).build()).orElseGet(() -> ErrorMappers.error(Response.Status.NOT_FOUND,
                "no sealed checkpoint " + shard + " of run " + runId));
    }
}
