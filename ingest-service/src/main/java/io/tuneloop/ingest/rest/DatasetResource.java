package io.tuneloop.ingest.rest;

import jakarta.annotation.security.RolesAllowed;
import io.tuneloop.tokens.Roles;
import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.service.auth.Caller;
import io.tuneloop.ingest.flow.Ingestion;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** Datasets known to ingest. A dataset comes into being with its first upload, and belongs to the uploader's team. */
@Path("/api/v1/datasets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "datasets")
public class DatasetResource {
    @Inject Ingestion ingest;
    @Inject DatasetOwners owners;
    @Inject Caller caller;

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.DATA})
    @Operation(summary = "Names of your team's datasets with at least one committed upload (every team's for an admin)")
    public List<String> datasets() {
        return ingest.datasets().stream()
                .filter(d -> owners.visible(d, caller))
                .toList();
    }
}
