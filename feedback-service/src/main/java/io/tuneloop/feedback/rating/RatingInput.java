package io.tuneloop.feedback.rating;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.payload.Rating;

import java.util.List;
import java.util.Set;

/**
 * What a rater sends: the judgement only. Who rated, which item and when come from the token, the
 * queue and the server clock, so a body naming them is refused rather than silently ignored.
 *
 * @param likert            1..5
 * @param labels            named labels from the configured set
 * @param correctedResponse a better response
 * @param preference        which of two responses to the same prompt is better
 * @param guidelinesVersion the guidelines followed (the service's current version when absent)
 */
public record RatingInput(Integer likert, List<String> labels, String correctedResponse, Rating.Preference preference,
                          String guidelinesVersion) {
    private static final ObjectMapper STRICT = EventJson.mapper().copy()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final Set<String> SERVER_FIELDS = Set.of("raterId", "itemId", "ratingId", "version", "ratedAt",
            "status", "idempotencyKey");

    /** Parses a request body; unknown fields and fields the server owns are refused with their name. */
    public static RatingInput parse(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            return STRICT.readValue(json, RatingInput.class);
        } catch (UnrecognizedPropertyException e) {
            String field = e.getPropertyName();
            if (SERVER_FIELDS.contains(field)) {
                throw new IllegalArgumentException(field + " is set by the server (rater from the token, item from the"
                        + " queue, time from its clock), not by the request body");
            }
            throw new IllegalArgumentException("unknown field " + field + "; a rating has likert, labels,"
                    + " correctedResponse, preference and guidelinesVersion");
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
            String message = cause == e ? e.getOriginalMessage() : cause.getMessage();
            throw new IllegalArgumentException("malformed rating: " + message);
        }
    }
}
