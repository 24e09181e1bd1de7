package io.tuneloop.trainer.rest;

import java.time.Duration;
import jakarta.annotation.security.RolesAllowed;
import io.tuneloop.trainer.flow.RunPhase;
import io.tuneloop.trainer.config.TrainerConfig;
import io.tuneloop.tokens.Roles;
import io.tuneloop.service.auth.LimitExceededException;
import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.service.auth.Caller;
import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.service.rest.ErrorMappers;
import io.tuneloop.trainer.flow.RunExistsException;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.flow.RunState;
import io.tuneloop.trainer.flow.Runs;
import io.tuneloop.model.train.StepRecord;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Collection;
import java.util.List;

/**
 * Training runs. A run belongs to its dataset's team: another team's runs answer 404, and a run can
 * only be started on a dataset of the caller's team.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "runs")
@Blocking
public class RunResource {
    @Inject Runs trainer;
    @Inject DatasetOwners owners;
    @Inject Caller caller;
    @Inject TrainerConfig config;

    @POST
    @Path("/runs")
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a run: validates the spec against the object store and sends the first shard")
    @APIResponse(responseCode = "201", description = "Run planned")
    @APIResponse(responseCode = "400", description = "Invalid spec, unknown dataset version or base model")
    @APIResponse(responseCode = "404", description = "The dataset belongs to another team")
    @APIResponse(responseCode = "409", description = "A run with this id exists")
    @APIResponse(responseCode = "429", description = "Too many of your runs in flight; see Retry-After")
    @RolesAllowed(Roles.TRAINER)
    public Response start(RunSpec spec) {
        if (spec == null) {
            throw new BadRequestException("a run spec is required");
        }
        if (spec.startedBy() != null) {
            throw new BadRequestException("startedBy is set by the service from your token; leave it out");
        }
        if (spec.dataset() != null) {
            owners.checkVisible(spec.dataset(), caller);
        }
        int limit = config.maxRunsInFlightPerCaller();
        if (limit > 0) {
            long inFlight = trainer.runs().stream().filter(r -> caller.name().equals(r.spec().startedBy()))
                    .filter(r -> r.state() == RunPhase.PLANNED || r.state() == RunPhase.RUNNING
                            || r.state() == RunPhase.SHARD_DONE).count();
            if (inFlight >= limit) {
                throw new LimitExceededException(caller.name() + " has " + inFlight + " runs in flight (the limit is "
                        + limit + "); wait for one to finish or cancel one", Duration.ofMinutes(1));
            }
        }
        RunState state = trainer.start(spec.startedBy(caller.name()));
        return Response.status(Response.Status.CREATED).entity(state).build();
    }

    @GET
    @Path("/runs")
    @Blocking
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER})
    @Operation(summary = "Every run of your team's datasets in the object store (every team's for an admin)")
    public Collection<RunState> runs() {
        return trainer.runs().stream().filter(r -> owners.visible(r.spec().dataset(), caller)).toList();
    }

    @GET
    @Path("/runs/{runId}")
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER})
    @Operation(summary = "One run: state, step, loss, validation loss, tokens/s and ETA")
    public RunState run(@PathParam("runId") String runId) {
        return trainer.run(runId).filter(r -> owners.visible(r.spec().dataset(), caller))
                .orElseThrow(() -> new NotFoundException("no run " + runId));
    }

    @GET
    @Path("/runs/{runId}/steps")
    @Blocking
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER})
    @Operation(summary = "Every completed step's loss, learning rate, gradient norm and tokens, from the sealed checkpoints")
    public List<StepRecord> steps(@PathParam("runId") String runId) {
        run(runId);
        return trainer.steps(runId);
    }

    @POST
    @Path("/runs/{runId}/cancel")
    @Blocking
    @RolesAllowed(Roles.TRAINER)
    @Operation(summary = "Cancel a run: the shard in progress stops within seconds without writing a checkpoint")
    public RunState cancel(@PathParam("runId") String runId) {
        run(runId);
        return trainer.cancel(runId, caller.name());
    }

    @POST
    @Path("/runs/{runId}/resume")
    @Blocking
    @RolesAllowed(Roles.TRAINER)
    @Operation(summary = "Resume a cancelled or failed run from its last sealed checkpoint")
    public RunState resume(@PathParam("runId") String runId) {
        run(runId);
        return trainer.resume(runId);
    }

    @GET
    @Path("/dataset-versions")
    @RolesAllowed({Roles.VIEWER, Roles.TRAINER})
    @Operation(summary = "Your team's dataset versions announced since this instance started")
    public Collection<DatasetVersion> datasetVersions() {
        return trainer.datasetVersions().stream().filter(v -> owners.visible(v.dataset(), caller)).toList();
    }

    @ServerExceptionMapper
    public Response exists(RunExistsException e) {
        return ErrorMappers.error(Response.Status.CONFLICT, e.getMessage());
    }
}
