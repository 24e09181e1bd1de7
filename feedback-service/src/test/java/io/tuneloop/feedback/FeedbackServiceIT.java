package io.tuneloop.feedback;

import io.tuneloop.store.Artifacts;
import io.tuneloop.testing.RouteAuthorisation;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Service;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.events.payload.RoundRequest;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.testing.TestKafka;
import io.tuneloop.testing.TestStack;
import io.tuneloop.testing.TestTokens;
import io.tuneloop.testing.TuneloopStackResource;
import io.tuneloop.tokens.BearerTokens;
import io.tuneloop.tokens.SigningKeys;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /** The API answers 503 until the views have caught up with the topics (ViewsGate). */
    @org.junit.jupiter.api.BeforeEach
    void viewsCaughtUp() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() ->
                io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(200));
    }

    private static String dataset(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Publishes review items of {@code dataset} round 0 and waits until the service knows them. */
    private static List<String> publishItems(String dataset, int count, String suite, String prompt) {
        try (var store = TestStack.get().openStore()) {
            // the dataset is the test team's, as its first upload would have made it
            Artifacts.DATASET_OWNER.write(store, dataset, new Artifacts.DatasetOwner(dataset, TestTokens.TEAM, "test", Instant.now()));
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String itemId = dataset + "/item-" + i;
            TestKafka.send(Topics.REVIEW_ITEMS, dataset, new ReviewItem(itemId, dataset + "-run/shard-0", dataset + "-run",
                    0, dataset, 1, suite, "task-" + i, prompt == null ? "Prompt " + i + " of " + dataset : prompt,
                    "Response " + i, null, 0.1 * i, Instant.now()));
            ids.add(itemId);
        }
        String reviewer = TestTokens.token("rita", "reviewer");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(reviewer)
                .get("/api/v1/items/{id}", ids.get(count - 1)).then().statusCode(200));
        return ids;
    }

    private static Response next(String token, String dataset) {
        return given().auth().oauth2(token).queryParam("dataset", dataset).get("/api/v1/queue/next");
    }

    private static Response rate(String token, String itemId, String key, String body) {
        return given().auth().oauth2(token).header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .post("/api/v1/queue/{item}/rating", itemId);
    }

    @Test
    void withoutAValidTokenOrTheRightRoleNothingIsServed() {
        given().get("/api/v1/queue/next").then().statusCode(401);
        given().auth().oauth2("not-a-jwt").get("/api/v1/queue/next").then().statusCode(401);
        // signed with a key the service does not trust
        String forged = new BearerTokens(SigningKeys.generate().getPrivate(), BearerTokens.LOCAL_ISSUER)
                .mint("mallory", List.of("admin"), null, Duration.ofHours(1));
        given().auth().oauth2(forged).get("/api/v1/agreement").then().statusCode(401);
        // right key, but expired
        String expired = TestTokens.TOKENS.mint("ann", List.of("rater"), TestTokens.TEAM, Instant.now().minus(Duration.ofHours(2)),
                Duration.ofHours(1));
        given().auth().oauth2(expired).get("/api/v1/queue/next").then().statusCode(401);
        // right key, wrong issuer
        String otherIssuer = new BearerTokens(TestTokens.KEYS.getPrivate(), "someone-else")
                .mint("ann", List.of("rater"), TestTokens.TEAM, Duration.ofHours(1));
        given().auth().oauth2(otherIssuer).get("/api/v1/queue/next").then().statusCode(401);

        String rater = TestTokens.rater("ann");
        given().auth().oauth2(rater).get("/api/v1/agreement").then().statusCode(403);
        given().auth().oauth2(rater).get("/api/v1/items").then().statusCode(403);
        given().auth().oauth2(rater).contentType(ContentType.JSON).body("{\"dataset\": \"x\"}")
                .post("/api/v1/admin/rounds").then().statusCode(403);
        given().auth().oauth2(TestTokens.token("rita", "reviewer")).get("/api/v1/queue/next").then().statusCode(403);
        given().auth().oauth2(TestTokens.token("rita", "reviewer")).get("/api/v1/agreement").then().statusCode(200);
    }

    @Test
    void everyRouteNeedsATokenAndARoleThatMayUseIt() throws Exception {
        RouteAuthorisation.Checked checked = RouteAuthorisation.checkEveryRoute();
        assertThat(checked.routes()).extracting(RouteAuthorisation.Route::toString).contains(
                "GET /api/v1/queue/next [rater]", "POST /api/v1/admin/rounds [admin]", "GET /api/v1/agreement [reviewer]");
        assertThat(checked.forbidden()).isPositive();
    }

    @Test
    void anotherTeamsItemsAreNeitherServedNorShown() {
        String dataset = dataset("owned");
        List<String> ids = publishItems(dataset, 2, "review", null);
        String eve = TestTokens.of("eve", "team-b", "rater");
        String eveReviewer = TestTokens.of("eve-reviewer", "team-b", "reviewer");
        next(eve, dataset).then().statusCode(204);
        given().auth().oauth2(eve).get("/api/v1/queue/progress").then().statusCode(200).body("remaining", equalTo(0));
        given().auth().oauth2(eveReviewer).get("/api/v1/items/{id}", ids.get(0)).then().statusCode(404);
        given().auth().oauth2(eveReviewer).get("/api/v1/items/{id}/ratings", ids.get(0)).then().statusCode(404);
        assertThat(given().auth().oauth2(eveReviewer).get("/api/v1/items?limit=500").then().statusCode(200).extract()
                .asString()).doesNotContain(dataset);
        assertThat(given().auth().oauth2(eveReviewer).queryParam("by", "round").get("/api/v1/aggregates").then()
                .statusCode(200).extract().asString()).doesNotContain(dataset);
        // the team's rater gets them
        next(TestTokens.rater("ann-" + dataset), dataset).then().statusCode(200);
    }

    @Test
    void badRatingsAreRefusedWithTheirReasonAndBodiesAreBounded() {
        String dataset = dataset("bad");
        List<String> items = publishItems(dataset, 1, "review", null);
        String rater = TestTokens.rater("bea");
        next(rater, dataset).then().statusCode(200).body("item.itemId", equalTo(items.get(0)));

        rate(rater, items.get(0), "k1", "{\"likert\": 9}").then().statusCode(400)
                .body("error", equalTo("likert must be 1..5, was 9"));
        rate(rater, items.get(0), "k2", "{\"likert\": 4, \"raterId\": \"somebody-else\"}").then().statusCode(400)
                .body("error", containsString("raterId is set by the server"));
        rate(rater, items.get(0), "k3", "{\"likert\": 4, \"labels\": [\"brilliant\"]}").then().statusCode(400)
                .body("error", containsString("unknown label brilliant"));
        rate(rater, items.get(0), "k4", "{\"likert\": 4").then().statusCode(400)
                .body("error", containsString("malformed rating"));
        rate(rater, items.get(0), "k5", "{}").then().statusCode(400)
                .body("error", containsString("needs a likert score"));
        rate(rater, items.get(0), "k6", "{\"correctedResponse\": \"" + "x".repeat(100_000) + "\"}").then().statusCode(413);
        rate(rater, items.get(0), "k".repeat(200), "{\"likert\": 4}").then().statusCode(400)
                .body("error", containsString("Idempotency-Key"));
        // an item that was never assigned to this rater
        rate(rater, "no-such-item", "k7", "{\"likert\": 4}").then().statusCode(404);
        // and nothing of that reached the topic or the views
        given().auth().oauth2(rater).get("/api/v1/ratings/mine").then().statusCode(200).body("$", hasSize(0));
    }

    @Test
    void aRetryCreatesOneRatingAndOnlyItsRaterCanChangeIt() {
        String dataset = dataset("retry");
        List<String> items = publishItems(dataset, 1, "review", null);
        String ann = TestTokens.rater("ann-" + dataset);
        String bob = TestTokens.rater("bob-" + dataset);
        String itemId = next(ann, dataset).then().statusCode(200).extract().path("item.itemId");
        assertThat(itemId).isEqualTo(items.get(0));

        String body = "{\"likert\": 2, \"labels\": [\"fails_task\"], \"correctedResponse\": \"A better one.\"}";
        String ratingId = rate(ann, itemId, "retry-1", body).then().statusCode(201)
                .body("raterId", equalTo("ann-" + dataset)).body("version", equalTo(1)).extract().path("ratingId");
        rate(ann, itemId, "retry-1", body).then().statusCode(200).header("Idempotent-Replayed", "true")
                .body("ratingId", equalTo(ratingId)).body("version", equalTo(1));
        rate(ann, itemId, "retry-1", "{\"likert\": 5}").then().statusCode(422);
        rate(ann, itemId, "retry-2", body).then().statusCode(409).body("error", containsString("already rated"));

        // bob cannot rate an item he was not assigned, read ann's rating, or change it
        rate(bob, itemId, "bob-1", "{\"likert\": 5}").then().statusCode(409);
        given().auth().oauth2(bob).get("/api/v1/ratings/{id}", ratingId).then().statusCode(404);
        given().auth().oauth2(bob).header("Idempotency-Key", "bob-2").contentType(ContentType.JSON)
                .body("{\"likert\": 1}").put("/api/v1/ratings/{id}", ratingId).then().statusCode(403);

        given().auth().oauth2(ann).header("Idempotency-Key", "retry-3").contentType(ContentType.JSON)
                .body("{\"likert\": 3}").put("/api/v1/ratings/{id}", ratingId).then().statusCode(200)
                .body("version", equalTo(2)).body("likert", equalTo(3)).body("itemId", equalTo(itemId));
        given().auth().oauth2(ann).get("/api/v1/ratings/mine").then().statusCode(200)
                .body("$", hasSize(1)).body("[0].version", equalTo(2));

        // the topic has exactly the two versions: the retry made no third record
        List<ConsumerRecord<String, byte[]>> onTopic = TestKafka.awaitRecords(Topics.RATINGS.name(),
                r -> itemId.equals(r.key()), 2, Duration.ofSeconds(30));
        assertThat(onTopic).extracting(r -> EventJson.fromBytes(r.value(), Rating.class).version())
                .containsExactly(1, 2);
        String reviewer = TestTokens.token("rita", "reviewer");
        given().auth().oauth2(reviewer).get("/api/v1/items/{id}/ratings", itemId).then().statusCode(200)
                .body("$", hasSize(1)).body("[0].likert", equalTo(3));
    }

    @Test
    void eachItemGoesToThreeRatersAndNeverTwiceToOne() {
        String dataset = dataset("overlap");
        publishItems(dataset, 3, "review", null);
        Map<String, Set<String>> ratersOfItem = new HashMap<>();
        for (int r = 0; r < 5; r++) {
            String name = "r" + r + "-" + dataset;
            String token = TestTokens.rater(name);
            while (true) {
                Response next = next(token, dataset);
                if (next.statusCode() == 204) {
                    break;
                }
                String itemId = next.then().statusCode(200).extract().path("item.itemId");
                assertThat(ratersOfItem.computeIfAbsent(itemId, k -> new HashSet<>()).add(name)).isTrue();
                if (ratersOfItem.get(itemId).size() % 2 == 0) { // some raters skip: the item goes to someone else
                    given().auth().oauth2(token).post("/api/v1/queue/{id}/skip", itemId).then().statusCode(201)
                            .body("status", equalTo("DISCARDED"));
                } else {
                    rate(token, itemId, UUID.randomUUID().toString(), "{\"likert\": 4}").then().statusCode(201);
                }
            }
        }
        String reviewer = TestTokens.token("rita", "reviewer");
        for (String itemId : ratersOfItem.keySet()) {
            List<Rating> ratings = List.of(given().auth().oauth2(reviewer).get("/api/v1/items/{id}/ratings", itemId)
                    .then().statusCode(200).extract().as(Rating[].class));
            assertThat(ratings.stream().filter(Rating::submitted).count()).as(itemId).isEqualTo(3);
        }
        assertThat(ratersOfItem).hasSize(3);
        given().auth().oauth2(reviewer).queryParam("dataset", dataset).queryParam("by", "task").get("/api/v1/aggregates")
                .then().statusCode(200).body("$", hasSize(3)).body("[0].ratings", equalTo(3))
                .body("[0].meanLikert", equalTo(4.0f));
    }

    @Test
    void aRatingCanBringTheNextAssignmentInOneRequest() {
        String dataset = dataset("next");
        publishItems(dataset, 2, "review", null);
        String token = TestTokens.rater("nia-" + dataset);
        String first = next(token, dataset).then().statusCode(200).extract().path("item.itemId");
        String second = given().auth().oauth2(token).header("Idempotency-Key", "n1").contentType(ContentType.JSON)
                .queryParam("next", true).queryParam("dataset", dataset).body("{\"likert\": 4}")
                .post("/api/v1/queue/{item}/rating", first).then().statusCode(201)
                .body("rating.itemId", equalTo(first)).extract().path("next.item.itemId");
        assertThat(second).isNotNull().isNotEqualTo(first);
        given().auth().oauth2(token).queryParam("next", true).queryParam("dataset", dataset)
                .post("/api/v1/queue/{item}/skip", second).then().statusCode(201)
                .body("rating.status", equalTo("DISCARDED")).body("next", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void aFloodingRaterGets429WithRetryAfter() {
        String token = TestTokens.rater("flood-" + UUID.randomUUID());
        int refused = 0;
        String retryAfter = null;
        for (int i = 0; i < 40 && refused == 0; i++) {
            Response response = rate(token, "no-such-item", "f" + i, "{\"likert\": 3}");
            if (response.statusCode() == 429) {
                refused++;
                retryAfter = response.header("Retry-After");
                assertThat(response.jsonPath().getString("error")).contains("too many ratings");
            } else {
                assertThat(response.statusCode()).isEqualTo(404);
            }
        }
        assertThat(refused).isEqualTo(1);
        assertThat(Integer.parseInt(retryAfter)).isPositive();
    }

    @Test
    void theRoundPolicyRequestsExactlyTheQualifyingSamples() {
        String dataset = dataset("round");
        List<String> items = publishItems(dataset, 4, "review", null);
        // the 4th item is from a held-out suite: never trained on
        String heldOut = dataset + "/heldout";
        TestKafka.send(Topics.REVIEW_ITEMS, dataset, new ReviewItem(heldOut, dataset + "-run/shard-0", dataset + "-run", 0,
                dataset, 1, "heldout_phrasings", "task-h", "Held-out prompt", "Held-out response", null, 0.0, Instant.now()));
        Map<String, String[]> verdicts = Map.of( // item -> what ann and bob send
                items.get(0), new String[]{"{\"likert\": 5}", "{\"likert\": 4}"},                         // top rated
                items.get(1), new String[]{"{\"likert\": 5}", "{\"likert\": 1}"},                         // disagree
                items.get(2), new String[]{"{\"likert\": 2, \"correctedResponse\": \"Fixed answer.\"}",
                        "{\"likert\": 1, \"correctedResponse\": \"Fixed answer.\"}"},                     // correction
                items.get(3), new String[]{"{\"likert\": 3}", "{\"likert\": 3}"},                         // so-so
                heldOut, new String[]{"{\"likert\": 5}", "{\"likert\": 5}"});
        String[] raters = {"ann-" + dataset, "bob-" + dataset};
        for (int r = 0; r < 2; r++) {
            String token = TestTokens.rater(raters[r]);
            for (int i = 0; i < verdicts.size(); i++) {
                String itemId = next(token, dataset).then().statusCode(200).extract().path("item.itemId");
                rate(token, itemId, "k" + i, verdicts.get(itemId)[r]).then().statusCode(201);
            }
        }
        // 10 accepted ratings >= min-ratings (10 in the test profile): the policy starts round 1 by itself
        ConsumerRecord<String, byte[]> record = TestKafka.awaitRecord(Topics.ROUND_REQUESTS.name(),
                r -> dataset.equals(r.key()), Duration.ofSeconds(60));
        RoundRequest request = EventJson.fromBytes(record.value(), RoundRequest.class);
        assertThat(request.round()).isEqualTo(1);
        assertThat(request.baseVersion()).isEqualTo(1);
        assertThat(request.feedbackCount()).isEqualTo(2);
        assertThat(request.reason()).contains("10 accepted ratings");
        try (ArtifactStore store = TestStack.get().openStore()) {
            List<RawRecord> samples = new String(store.getBytes(request.feedbackKey()), StandardCharsets.UTF_8).lines()
                    .map(l -> EventJson.fromBytes(l.getBytes(StandardCharsets.UTF_8), RawRecord.class)).toList();
            assertThat(samples).extracting(s -> s.attributes().get("feedback.item") + " " + s.messages().get(1).content())
                    .containsExactlyInAnyOrder(items.get(0) + " Response 0", items.get(2) + " Fixed answer.");
            assertThat(samples).allSatisfy(s -> assertThat(s.attributes().get("feedback.ratings").split(",")).hasSize(2));
            String lineage = new String(store.getBytes(request.lineageKey()), StandardCharsets.UTF_8);
            assertThat(lineage).contains("\"raters_disagree\":1", "\"eval_suite\":1",
                    "\"not_good_enough_without_correction\":1");
        }
        String admin = TestTokens.token("ada", "admin");
        // the round was requested: asking again is a conflict, and there is nothing open for the dataset
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{\"dataset\": \"" + dataset + "\"}")
                .post("/api/v1/admin/rounds").then().statusCode(404);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{}").post("/api/v1/admin/rounds")
                .then().statusCode(400).body("error", equalTo("dataset is required"));
        given().auth().oauth2(TestTokens.token("rita", "reviewer")).queryParam("dataset", dataset)
                .get("/api/v1/agreement").then().statusCode(200).body("items", equalTo(5));
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
    void theServiceIsReadyOnceItsViewsCaughtUp() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body(containsString("feedback views")));
    }
}
