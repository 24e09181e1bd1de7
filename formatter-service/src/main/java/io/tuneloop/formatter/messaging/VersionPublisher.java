package io.tuneloop.formatter.messaging;

import io.tuneloop.service.auth.DatasetOwners;
import io.tuneloop.events.Service;
import io.tuneloop.events.Actor;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.formatter.flow.VersionEvents;
import io.tuneloop.service.messaging.Events;
import jakarta.inject.Inject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Sealed versions on dataset-versions, with an id per version (a repeat is the same event), acks=all. */
@ApplicationScoped
public class VersionPublisher implements VersionEvents {
    @Inject @Channel(Channels.DATASET_VERSIONS_OUT) MutinyEmitter<DatasetVersion> versions;
    @Inject DatasetOwners owners;

    @Override
    public void sealed(DatasetVersion version) {
        versions.sendMessageAndAwait(Events.message(Topics.DATASET_VERSIONS, version.dataset(), version,
                "dataset-version:" + version.dataset() + ":v" + version.version(),
                Actor.service(Service.FORMATTER, "sealing", owners.teamOf(version.dataset()))));
    }
}
