package io.tuneloop.events;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicsTest {

    @Test
    void namesAndEventTypesAreUnique() {
        assertThat(Topics.ALL.stream().map(Topic::name).collect(Collectors.toSet())).hasSize(Topics.ALL.size());
        assertThat(Topics.ALL.stream().map(Topic::eventType).collect(Collectors.toSet())).hasSize(Topics.ALL.size());
    }

    @Test
    void everyPublicTopicConstantIsInTheCatalog() throws Exception {
        Set<Object> constants = new HashSet<>();
        for (Field field : Topics.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == Topic.class) {
                constants.add(field.get(null));
            }
        }
        assertThat(constants).containsExactlyInAnyOrderElementsOf(Topics.ALL);
    }

    @Test
    void everyChannelConstantNamesACatalogTopicInTheRightDirection() throws Exception {
        for (Field field : Channels.class.getFields()) {
            String value = (String) field.get(null);
            if (field.getName().endsWith("_SUFFIX")) {
                continue;
            }
            boolean incoming = field.getName().endsWith("_IN");
            String suffix = incoming ? Channels.INCOMING_SUFFIX : Channels.OUTGOING_SUFFIX;
            assertThat(value).as(field.getName()).endsWith(suffix);
            String topicName = value.substring(0, value.length() - suffix.length());
            Topic<String, ?> topic = Topics.byName(topicName).orElseThrow();
            assertThat(incoming ? topic.incomingChannel() : topic.outgoingChannel()).isEqualTo(value);
            // the constant's name is the topic's name in upper snake case
            assertThat(field.getName()).startsWith(topicName.toUpperCase().replace('-', '_'));
        }
    }

    @Test
    void everyConsumedTopicHasAProducerExceptExternalInput() {
        for (Service service : Service.ALL) {
            for (Topic<String, ?> topic : service.consumes()) {
                if (topic == Topics.RAW_INPUT) {
                    continue; // written by users' own producers
                }
                assertThat(Service.ALL.stream().anyMatch(s -> s.produces(topic)))
                        .as(topic.name() + " has a producer").isTrue();
            }
        }
    }

    @Test
    void deadLetterTopicsArePerConsumer() {
        assertThat(Topics.RATINGS.deadLetterTopic(Service.FEEDBACK)).isEqualTo("ratings.dlq.feedback");
        assertThat(Topics.deadLetterTopics()).doesNotHaveDuplicates().contains("raw-records.dlq.formatter");
        assertThatThrownBy(() -> Topics.RATINGS.deadLetterTopic(Service.INGEST))
                .hasMessageContaining("does not consume");
    }

    @Test
    void eventVersionComesFromTheType() {
        assertThat(Topics.DATASET_VERSIONS.eventVersion()).isEqualTo(1);
        assertThatThrownBy(() -> new Topic<>("x", String.class, String.class, "io.tuneloop.x", "k", 1))
                .hasMessageContaining("io.tuneloop.<thing>.v<N>");
    }
}
