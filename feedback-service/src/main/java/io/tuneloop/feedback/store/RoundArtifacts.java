package io.tuneloop.feedback.store;

import io.tuneloop.events.EventJson;
import io.tuneloop.feedback.flow.RoundExport;
import io.tuneloop.feedback.flow.RoundPorts;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.Artifacts;
import jakarta.enterprise.context.ApplicationScoped;


/** A round's export in the object store: samples, preference pairs, then the lineage. */
@ApplicationScoped
public class RoundArtifacts implements RoundPorts.Exports {
    private final ArtifactStore store;

    public RoundArtifacts(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public void write(RoundExport export) {
        Artifacts.ROUND_SAMPLES.write(store, export.round(), export.samples());
        Artifacts.ROUND_PREFERENCES.write(store, export.round(), export.preferences());
        Artifacts.ROUND_LINEAGE.write(store, export.round(), EventJson.mapper().valueToTree(export.lineage()));
    }
}
