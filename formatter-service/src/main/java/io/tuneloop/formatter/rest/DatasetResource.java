package io.tuneloop.formatter.rest;

import io.tuneloop.formatter.DatasetManifest;
import io.tuneloop.formatter.store.DatasetRepository;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** Read-only view of sealed dataset versions. */
@Path("/api/v1/datasets/{dataset}/versions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "datasets")
public class DatasetResource {
    private final DatasetRepository repository;

    public DatasetResource(DatasetRepository repository) {
        this.repository = repository;
    }

    @GET
    @Operation(summary = "Sealed versions of a dataset, oldest first")
    public List<DatasetManifest> versions(@PathParam("dataset") String dataset) {
        return repository.versions(dataset);
    }

    @GET
    @Path("/{version}")
    @Operation(summary = "The manifest of one version")
    public DatasetManifest version(@PathParam("dataset") String dataset, @PathParam("version") int version) {
        return repository.manifest(dataset, version)
                .orElseThrow(() -> new NotFoundException("no version " + version + " of dataset " + dataset));
    }
}
