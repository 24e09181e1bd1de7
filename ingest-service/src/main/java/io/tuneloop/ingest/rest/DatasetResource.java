package io.tuneloop.ingest.rest;

import io.tuneloop.ingest.flow.Ingestion;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** Datasets known to ingest. A dataset comes into being with its first upload. */
@Path("/api/v1/datasets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "datasets")
public class DatasetResource {
    @Inject Ingestion ingest;

    @GET
    @Operation(summary = "Names of datasets with at least one committed upload")
    public List<String> datasets() {
        return ingest.datasets();
    }
}
