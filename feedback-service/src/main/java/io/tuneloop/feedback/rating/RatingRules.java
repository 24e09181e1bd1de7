package io.tuneloop.feedback.rating;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.feedback.review.ReviewBoard;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a valid rating looks like: a Likert score in 1..5, labels from the configured set, a
 * correction of bounded length, a known guidelines version. Each violation is a precise 400.
 *
 * @param labels              the labels raters may use
 * @param maxCorrectionChars  longest accepted correction
 * @param guidelinesVersions  accepted guidelines versions; the first is the current one
 */
public record RatingRules(Set<String> labels, int maxCorrectionChars, List<String> guidelinesVersions) {
    public RatingRules {
        labels = Set.copyOf(labels);
        guidelinesVersions = List.copyOf(guidelinesVersions);
        if (guidelinesVersions.isEmpty()) {
            throw new IllegalArgumentException("at least one guidelines version is needed");
        }
    }

    /**
     * The rating content of {@code input} for {@code itemId} (null for a change: the item is the
     * rating's own), or an IllegalArgumentException naming the first problem.
     */
    public ReviewBoard.Content contentOf(String itemId, RatingInput input) {
        if (input == null) {
            throw new IllegalArgumentException("a JSON body is required: {\"likert\": 1..5, \"labels\": [...], "
                    + "\"correctedResponse\": \"...\", \"preference\": {...}}");
        }
        if (input.likert() != null && (input.likert() < 1 || input.likert() > 5)) {
            throw new IllegalArgumentException("likert must be 1..5, was " + input.likert());
        }
        List<String> labelList = input.labels() == null ? List.of() : input.labels();
        for (String label : labelList) {
            if (label == null || !labels.contains(label)) {
                throw new IllegalArgumentException("unknown label " + label + "; labels are " + new TreeSet<>(labels));
            }
        }
        if (Set.copyOf(labelList).size() != labelList.size()) {
            throw new IllegalArgumentException("labels must not repeat: " + labelList);
        }
        String correction = input.correctedResponse();
        if (correction != null) {
            if (correction.isBlank()) {
                throw new IllegalArgumentException("correctedResponse must not be blank; leave it out instead");
            }
            if (correction.length() > maxCorrectionChars) {
                throw new IllegalArgumentException("correctedResponse is " + correction.length()
                        + " characters; at most " + maxCorrectionChars + " are accepted");
            }
        }
        if (input.likert() == null && labelList.isEmpty() && correction == null && input.preference() == null) {
            throw new IllegalArgumentException("a rating needs a likert score, a label, a correction or a preference");
        }
        String guidelines = input.guidelinesVersion() == null ? guidelinesVersions.get(0) : input.guidelinesVersion();
        if (!guidelinesVersions.contains(guidelines)) {
            throw new IllegalArgumentException("unknown guidelinesVersion " + guidelines + "; accepted: "
                    + guidelinesVersions);
        }
        return new ReviewBoard.Content(itemId, Rating.SUBMITTED, input.likert(), List.copyOf(labelList), correction,
                input.preference(), guidelines);
    }

    /** A skip: the rater discards the item; nothing else is recorded. */
    public ReviewBoard.Content skipOf(String itemId) {
        return new ReviewBoard.Content(itemId, Rating.DISCARDED, null, List.of(), null, null, guidelinesVersions.get(0));
    }
}
