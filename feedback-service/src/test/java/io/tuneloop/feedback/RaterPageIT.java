package io.tuneloop.feedback;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.testing.TestKafka;
import io.tuneloop.testing.TestTokens;
import io.tuneloop.testing.TuneloopStackResource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The rater page in a real headless Chromium: sign in, rate with the keyboard, and the rating is on the topic. */
@QuarkusTest
@QuarkusTestResource(TuneloopStackResource.class)
class RaterPageIT {

    /** The API answers 503 until the views have caught up with the topics (ViewsGate). */
    @org.junit.jupiter.api.BeforeEach
    void viewsCaughtUp() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() ->
                io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(200));
    }

    @TestHTTPResource("/rate/")
    URL page;

    @Test
    void aRaterRatesAnItemWithTheKeyboardAndTheRatingReachesTheTopic() throws Exception {
        boolean required = "1".equals(System.getenv("TUNELOOP_REQUIRE_BROWSER"));
        if (!required) {
            Assumptions.assumeTrue(HeadlessChromium.available(), "no chromium at " + HeadlessChromium.BINARY);
        }
        String dataset = "page-" + UUID.randomUUID().toString().substring(0, 8);
        String itemId = dataset + "/item-0";
        try (var store = io.tuneloop.testing.TestStack.get().openStore()) {
            io.tuneloop.store.Artifacts.DATASET_OWNER.write(store, dataset, new io.tuneloop.store.Artifacts.DatasetOwner(
                    dataset, TestTokens.TEAM, "test", Instant.now()));
        }
        TestKafka.send(Topics.REVIEW_ITEMS, dataset, new ReviewItem(itemId, dataset + "-run/shard-0", dataset + "-run", 0,
                dataset, 1, "general", "antonyms", "Give the antonym of hot.", "warm", "cold", 0.9, Instant.now()));
        String reviewer = TestTokens.token("rita", "reviewer");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().auth().oauth2(reviewer).get("/api/v1/items/{id}", itemId).then().statusCode(200));

        String rater = "pat-" + dataset;
        try (HeadlessChromium browser = new HeadlessChromium()) {
            browser.navigate(page + "?dataset=" + dataset);
            browser.waitFor("document.getElementById('token')", Duration.ofSeconds(30));
            browser.eval("document.getElementById('token').focus()");
            browser.type(TestTokens.rater(rater));
            browser.press("Enter");
            browser.waitFor("document.getElementById('prompt').textContent === 'Give the antonym of hot.'", Duration.ofSeconds(30));
            assertThat(browser.eval("document.getElementById('response').textContent").asText()).isEqualTo("warm");
            assertThat(browser.eval("document.getElementById('progress').textContent").asText()).contains("rated 0");

            browser.press("2");                 // Likert 2
            browser.press("f");                 // label fails_task
            browser.press("c");                 // into the correction
            browser.type("cold");
            browser.press("Escape");
            browser.press("Enter");             // submit
            browser.waitFor("document.getElementById('progress').textContent.includes('rated 1')", Duration.ofSeconds(30));
            browser.waitFor("!document.getElementById('done').hidden", Duration.ofSeconds(10));
        }

        var record = TestKafka.awaitRecord(Topics.RATINGS.name(), r -> itemId.equals(r.key()), Duration.ofSeconds(30));
        Rating rating = EventJson.fromBytes(record.value(), Rating.class);
        assertThat(rating.raterId()).isEqualTo(rater);
        assertThat(rating.likert()).isEqualTo(2);
        assertThat(rating.labels()).containsExactly("fails_task");
        assertThat(rating.correctedResponse()).isEqualTo("cold");
        assertThat(rating.idempotencyKey()).isNotBlank();
    }
}
