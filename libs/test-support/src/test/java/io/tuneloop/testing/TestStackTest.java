package io.tuneloop.testing;

import io.tuneloop.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TestStackTest {

    @Test
    void oneBrokerAndOneS3ServerPerJvmOnLoopback() {
        TestStack first = TestStack.get();
        assertThat(TestStack.get()).isSameAs(first);
        assertThat(first.bootstrapServers()).startsWith("127.0.0.1:");
        assertThat(first.s3().endpoint()).startsWith("http://127.0.0.1:");
    }

    @Test
    void brokerHasEveryCatalogAndDeadLetterTopic() throws Exception {
        try (Admin admin = TestStack.get().kafka().admin()) {
            var names = admin.listTopics().names().get();
            assertThat(names).containsAll(Topics.ALL.stream().map(t -> t.name()).toList());
            assertThat(names).containsAll(Topics.deadLetterTopics());
        }
    }

    @Test
    void recordsTravelThroughTheBroker() {
        TestKafka.sendRaw(Topics.RAW_INPUT.name(), "stack-test", "{\"hello\":1}".getBytes(StandardCharsets.UTF_8));
        var record = TestKafka.awaitRecord(Topics.RAW_INPUT.name(), r -> "stack-test".equals(r.key()), Duration.ofSeconds(30));
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"hello\":1}");
    }

    @Test
    void s3ServerAnswersAndRefusesUnsignedRequests() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(TestStack.get().s3().endpoint() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("AccessDenied");
    }
}
