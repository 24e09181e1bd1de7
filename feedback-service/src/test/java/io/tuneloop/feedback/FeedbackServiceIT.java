package io.tuneloop.feedback;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Service;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.testing.TestKafka;
import io.tuneloop.testing.TuneloopStackResource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

@QuarkusTest
@QuarkusTestResource(TuneloopStackResource.class)
class FeedbackServiceIT {

    @Test
    void reviewItemsAndRatingsBuildTheBoard() {
        String itemId = "item-" + UUID.randomUUID();
        TestKafka.send(Topics.REVIEW_ITEMS, itemId, new ReviewItem(itemId, "run-1/shard-0", "run-1", 0, "demo",
                "heldout-phrasings", "antonyms", "Give the antonym of hot.", "cold", "cold", 0.7, Instant.now()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/api/v1/items/{id}", itemId).then().statusCode(200).body("response", equalTo("cold")));

        TestKafka.send(Topics.RATINGS, itemId, new Rating("r-1", 1, itemId, "alice", 3, List.of(), null, null, "v1",
                "SUBMITTED", "k1", Instant.now()));
        TestKafka.send(Topics.RATINGS, itemId, new Rating("r-1", 2, itemId, "alice", 5, List.of("helpful"), null, null,
                "v1", "SUBMITTED", "k2", Instant.now()));
        TestKafka.send(Topics.RATINGS, itemId, new Rating("r-1", 1, itemId, "alice", 3, List.of(), null, null, "v1",
                "SUBMITTED", "k1", Instant.now())); // a late redelivery of version 1
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/api/v1/items/{id}/ratings", itemId).then().statusCode(200)
                        .body("$", hasSize(1)).body("[0].version", equalTo(2)).body("[0].likert", equalTo(5)));
        given().get("/api/v1/items/{id}/ratings", "missing").then().statusCode(404);
        given().get("/api/v1/items?limit=0").then().statusCode(400).body("error", containsString("limit"));
    }

    @Test
    void poisonRatingsAreDeadLettered() {
        String key = "poison-" + UUID.randomUUID();
        TestKafka.sendRaw(Topics.RATINGS.name(), key,
                "{\"ratingId\":\"r\",\"version\":1,\"itemId\":\"i\",\"raterId\":\"a\",\"likert\":9,\"status\":\"SUBMITTED\",\"ratedAt\":\"2026-01-01T00:00:00Z\"}"
                        .getBytes(StandardCharsets.UTF_8));
        var dead = TestKafka.awaitRecord(Topics.RATINGS.deadLetterTopic(Service.FEEDBACK), r -> key.equals(r.key()),
                Duration.ofSeconds(60));
        assertThat(TestKafka.header(dead, "dead-letter-reason")).contains("likert must be 1..5");
    }

    @Test
    void theAdminStartsARoundWithATokenOnly() {
        String dataset = "round-" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"dataset\": \"" + dataset + "\", \"baseVersion\": 1, \"round\": 1}";
        given().contentType(ContentType.JSON).body(body).post("/api/v1/admin/rounds").then().statusCode(401);
        given().auth().oauth2("wrong").contentType(ContentType.JSON).body(body).post("/api/v1/admin/rounds")
                .then().statusCode(403);
        given().auth().oauth2("test-admin-token").contentType(ContentType.JSON)
                .body("{\"dataset\": \"" + dataset + "\", \"baseVersion\": 1, \"round\": 0}")
                .post("/api/v1/admin/rounds").then().statusCode(400).body("error", containsString("round must be >= 1"));

        given().auth().oauth2("test-admin-token").contentType(ContentType.JSON).body(body).post("/api/v1/admin/rounds")
                .then().statusCode(202).body("dataset", equalTo(dataset));
        var record = TestKafka.awaitRecord(Topics.ROUND_REQUESTS.name(), r -> dataset.equals(r.key()), Duration.ofSeconds(30));
        assertThat(EventJson.fromBytes(record.value(), RoundRequest.class).round()).isEqualTo(1);
    }
}
