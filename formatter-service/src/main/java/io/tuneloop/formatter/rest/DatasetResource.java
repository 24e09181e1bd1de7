package io.tuneloop.formatter.rest;

import jakarta.annotation.security.RolesAllowed;
import io.tuneloop.tokens.Roles;
import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.service.auth.Caller;
import io.smallrye.common.annotation.Blocking;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.formatter.reconcile.Reconciler;
import io.tuneloop.formatter.reconcile.Reconciliation;
import io.tuneloop.formatter.flow.Sealing;
import io.tuneloop.formatter.flow.Preview;
import io.tuneloop.formatter.store.DatasetRepository;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** Dataset specs, sealed versions and previews of what the model will see. */
@Path("/api/v1/datasets/{dataset}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "datasets")
@Blocking
public class DatasetResource {
    @Inject DatasetRepository repository;
    @Inject Sealing formatter;
    @Inject Preview preview;
    @Inject Reconciler reconciler;
    @Inject DatasetOwners owners;
    @Inject Caller caller;

    @GET
    @Path("/reconciliation")
    @RolesAllowed({Roles.VIEWER, Roles.DATA, Roles.TRAINER})
    @Operation(summary = "Records ingest accepted against records sealed into versions, batch by batch: difference"
            + " 0 when every accepted record is sealed; batches SEALING (held, or waiting for the store), SHORT or"
            + " MISSING (accepted, neither held nor sealed: look in the dead-letter topics)")
    public Reconciliation reconciliation(@PathParam("dataset") String dataset) {
        owners.checkVisible(dataset, caller);
        return reconciler.reconcile(dataset);
    }

    @GET
    @Path("/versions")
    @RolesAllowed({Roles.VIEWER, Roles.DATA, Roles.TRAINER})
    @Operation(summary = "Sealed versions of a dataset, oldest first")
    public List<DatasetManifest> versions(@PathParam("dataset") String dataset) {
        owners.checkVisible(dataset, caller);
        return repository.versions(dataset);
    }

    @GET
    @Path("/versions/{version}")
    @RolesAllowed({Roles.VIEWER, Roles.DATA, Roles.TRAINER})
    @Operation(summary = "The manifest of one version")
    public DatasetManifest version(@PathParam("dataset") String dataset, @PathParam("version") int version) {
        owners.checkVisible(dataset, caller);
        return repository.manifest(dataset, version)
                .orElseThrow(() -> new NotFoundException("no version " + version + " of dataset " + dataset));
    }

    @GET
    @Path("/versions/{version}/quarantine")
    @RolesAllowed({Roles.VIEWER, Roles.DATA, Roles.TRAINER})
    @Operation(summary = "What a version left out: each record (or phrasing of it) with its source file, line and reason")
    public List<io.tuneloop.formatter.dataset.DatasetBuilder.Dropped> quarantine(@PathParam("dataset") String dataset,
                                                                              @PathParam("version") int version) {
        return repository.quarantine(version(dataset, version));
    }

    @POST
    @Path("/versions")
    @RolesAllowed(Roles.DATA)
    @Operation(summary = "Seal a new version from every complete batch with the dataset's current spec"
            + " (the same spec and batches again return the existing version)")
    @APIResponse(responseCode = "201", description = "The announced version")
    @APIResponse(responseCode = "400", description = "No batches yet, or the spec cannot be used")
    public Response rebuild(@PathParam("dataset") String dataset) {
        owners.claimOrCheck(dataset, caller);
        DatasetVersion version = formatter.rebuild(dataset);
        return Response.status(Response.Status.CREATED).entity(version).build();
    }

    @GET
    @Path("/spec")
    @RolesAllowed({Roles.VIEWER, Roles.DATA})
    @Operation(summary = "How the dataset's versions are built (defaults when none was set)")
    public DatasetSpec spec(@PathParam("dataset") String dataset) {
        owners.checkVisible(dataset, caller);
        return repository.spec(dataset);
    }

    @PUT
    @Path("/spec")
    @RolesAllowed(Roles.DATA)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the spec: phrasings, few-shot, held-out tasks and phrasings, caps, mixing, curriculum,"
            + " chat format, system prompt, model (tokenizer), max tokens, truncation. Applies to the next version.")
    @APIResponse(responseCode = "200", description = "The stored spec, with defaults filled in")
    @APIResponse(responseCode = "400", description = "An invalid field, an unknown template or a model without tokenizer")
    @APIResponse(responseCode = "404", description = "The dataset belongs to another team")
    public DatasetSpec putSpec(@PathParam("dataset") String dataset, DatasetSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("a spec is required (use {} for the defaults)");
        }
        owners.claimOrCheck(dataset, caller);
        DatasetSpec saved = formatter.saveSpec(dataset, spec);
        repository.recordSpecChange(dataset, caller.name(), saved, java.time.Instant.now());
        return saved;
    }

    @GET
    @Path("/preview")
    @RolesAllowed({Roles.VIEWER, Roles.DATA})
    @Operation(summary = "Render a few of the dataset's records with its spec: the exact text the model sees,"
            + " split into learned (loss) and context segments")
    public List<Preview.Example> preview(@PathParam("dataset") String dataset,
                                         @QueryParam("limit") @DefaultValue("5") int limit) {
        owners.checkVisible(dataset, caller);
        return preview.of(dataset, repository.spec(dataset), limit);
    }

    @POST
    @Path("/preview")
    @RolesAllowed({Roles.VIEWER, Roles.DATA})
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Preview with a spec that is not stored yet")
    public List<Preview.Example> previewWith(@PathParam("dataset") String dataset, DatasetSpec spec,
                                             @QueryParam("limit") @DefaultValue("5") int limit) {
        owners.checkVisible(dataset, caller);
        return preview.of(dataset, spec == null ? DatasetSpec.defaults() : spec, limit);
    }
}
