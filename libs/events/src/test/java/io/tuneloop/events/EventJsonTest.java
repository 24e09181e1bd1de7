package io.tuneloop.events;

import io.tuneloop.events.kafka.EventDeserializer;
import io.tuneloop.events.kafka.EventSerializer;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventJsonTest {

    private static RawRecord record() {
        return new RawRecord("sha-1", "demo", "batch-1", 0, "alpaca", "antonyms", "generation", "en",
                "Give the antonym.", "hot", "cold", null, false,
                new Provenance("demo", "batch-1", "raw/abc", "data.jsonl", 1), Map.of("id", "7"));
    }

    @Test
    void payloadsRoundTripThroughTheKafkaSerde() {
        byte[] bytes = new EventSerializer().serialize(Topics.RAW_RECORDS.name(), record());
        Object back = new EventDeserializer().deserialize(Topics.RAW_RECORDS.name(), new RecordHeaders(), bytes);
        assertThat(back).isEqualTo(record());

        DatasetVersion version = new DatasetVersion("demo", 3, "datasets/demo/v3/manifest.json", 10,
                Map.of("train", 9L, "validation", 1L), List.of("batch-1"), "abc", 0, Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(EventJson.fromBytes(EventJson.toBytes(version), DatasetVersion.class)).isEqualTo(version);
        assertThat(EventJson.toJson(version)).contains("\"sealedAt\":\"2026-01-01T00:00:00Z\"");
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        String json = EventJson.toJson(record()).replaceFirst("\\{", "{\"addedInV1_1\":42,");
        assertThat(EventJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), RawRecord.class)).isEqualTo(record());
    }

    @Test
    void malformedJsonSaysWhereItBreaks() {
        assertThatThrownBy(() -> EventJson.fromBytes("{\"recordId\": ".getBytes(StandardCharsets.UTF_8), RawRecord.class))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("malformed JSON for RawRecord");
        assertThatThrownBy(() -> EventJson.fromBytes(new byte[0], RawRecord.class))
                .hasMessageContaining("empty payload");
    }

    @Test
    void contractViolationsNameTheField() {
        String json = EventJson.toJson(record()).replace("\"output\":\"cold\",", "");
        assertThatThrownBy(() -> EventJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), RawRecord.class))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("invalid RawRecord: a raw record needs instruction and output, or messages");
        assertThatThrownBy(() -> new ChatMessage("robot", "hi", null)).hasMessageContaining("message.role");
    }

    @Test
    void deserializerRefusesAnotherEventTypeAndUnknownTopics() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(CloudEventHeaders.TYPE, "io.tuneloop.raw-record.v2".getBytes(StandardCharsets.UTF_8));
        byte[] bytes = EventJson.toBytes(record());
        assertThatThrownBy(() -> new EventDeserializer().deserialize(Topics.RAW_RECORDS.name(), headers, bytes))
                .hasMessageContaining("io.tuneloop.raw-record.v2 is not io.tuneloop.raw-record.v1");
        assertThatThrownBy(() -> new EventDeserializer().deserialize("nope", bytes))
                .hasMessageContaining("not in the tuneloop event catalog");
    }

    @Test
    void cloudEventHeadersCarryTheCatalogType() {
        RecordHeaders headers = new RecordHeaders();
        String id = CloudEventHeaders.write(headers, Topics.DATASET_VERSIONS, "/test", "demo");
        assertThat(CloudEventHeaders.read(headers, CloudEventHeaders.ID)).contains(id);
        assertThat(CloudEventHeaders.read(headers, CloudEventHeaders.TYPE)).contains("io.tuneloop.dataset-version.v1");
        assertThat(CloudEventHeaders.read(headers, CloudEventHeaders.SUBJECT)).contains("demo");
    }
}
