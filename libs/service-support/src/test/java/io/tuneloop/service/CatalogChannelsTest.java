package io.tuneloop.service;

import io.tuneloop.events.Service;
import io.tuneloop.events.Topics;
import io.tuneloop.service.messaging.CatalogChannels;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogChannelsTest {

    @Test
    void consumedTopicsGetAnIncomingChannelWithItsOwnDeadLetterTopic() {
        Map<String, String> config = CatalogChannels.configFor(Service.FORMATTER);
        String p = "mp.messaging.incoming.raw-records-in.";
        assertThat(config).containsEntry(p + "topic", "raw-records")
                .containsEntry(p + "group.id", "tuneloop-formatter")
                .containsEntry(p + "failure-strategy", "dead-letter-queue")
                .containsEntry(p + "dead-letter-queue.topic", "raw-records.dlq.formatter")
                .containsEntry(p + "isolation.level", "read_committed");
    }

    @Test
    void producedTopicsGetADurableCloudEventsChannel() {
        Map<String, String> config = CatalogChannels.configFor(Service.FORMATTER);
        String p = "mp.messaging.outgoing.dataset-versions-out.";
        assertThat(config).containsEntry(p + "acks", "all")
                .containsEntry(p + "enable.idempotence", "true")
                .containsEntry(p + "cloud-events-type", Topics.DATASET_VERSIONS.eventType())
                .containsEntry(p + "cloud-events-source", "/tuneloop/formatter");
    }

    @Test
    void aServiceGetsChannelsOnlyForItsOwnTopics() {
        Map<String, String> config = CatalogChannels.configFor(Service.INGEST);
        assertThat(config.keySet()).noneMatch(k -> k.contains("dataset-versions"));
        long incoming = config.keySet().stream().filter(k -> k.endsWith(".connector") && k.contains(".incoming.")).count();
        long outgoing = config.keySet().stream().filter(k -> k.endsWith(".connector") && k.contains(".outgoing.")).count();
        assertThat(incoming).isEqualTo(Service.INGEST.consumes().size());
        assertThat(outgoing).isEqualTo(Service.INGEST.produces().size());
    }
}
