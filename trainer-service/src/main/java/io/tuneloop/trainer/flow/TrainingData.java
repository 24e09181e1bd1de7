package io.tuneloop.trainer.flow;

import io.tuneloop.events.JsonLines;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.PreferenceExample;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.model.train.PreferencePair;
import io.tuneloop.model.train.SftExample;

import java.util.ArrayList;
import java.util.List;

/**
 * A dataset version's examples as the training loop takes them: token ids and a mask that is true
 * on the loss spans (the response and its end-of-turn token), and for preference runs the pairs.
 * Examples are cut to the run's maximum length; one left with nothing to learn is dropped and
 * counted, never trained on with a zero loss.
 */
public final class TrainingData {
    private final List<SftExample> train = new ArrayList<>();
    /** The train examples that are feedback samples (a subset of {@code train}), in manifest order. */
    private final List<SftExample> feedback = new ArrayList<>();
    /** The other train examples: what a feedback-weighted run replays. */
    private final List<SftExample> replay = new ArrayList<>();
    private final List<SftExample> validation = new ArrayList<>();
    private final List<PreferencePair> preferences = new ArrayList<>();
    private long dropped;
    private int maxTokenId = -1;

    /** Adds the examples of one shard file (JSON Lines of {@link InstructionRecord}). */
    public void addShard(byte[] jsonLines, int maxSeqLength) {
        JsonLines.read(jsonLines, InstructionRecord.class).forEach(record -> add(record, maxSeqLength));
    }

    /** Adds one example of a shard (train and validation examples; others are the eval service's). */
    public void add(InstructionRecord record, int maxSeqLength) {
        List<SftExample> target = switch (record.split()) {
            case Splits.TRAIN -> train;
            case Splits.VALIDATION -> validation;
            default -> null; // held-out tasks and phrasings are the eval service's
        };
        if (target == null) {
            return;
        }
        if (record.tokens() == null || record.lossSpans() == null) {
            throw new IllegalArgumentException("example " + record.id() + " has no token ids: the dataset version was"
                    + " built without a model; set \"model\" in the dataset spec and seal a new version");
        }
        SftExample example = SftExample.fromSpans(record.tokens(), record.lossSpans(), maxSeqLength);
        if (example.learnedTokens() == 0) {
            dropped++;
            return;
        }
        for (long id : example.tokens()) {
            maxTokenId = Math.max(maxTokenId, (int) id);
        }
        target.add(example);
        if (target == train) {
            (InstructionRecord.FEEDBACK_TEMPLATE.equals(record.templateId()) ? feedback : replay).add(example);
        }
    }

    /**
     * Adds one preference pair (the preferences split): both sequences cut to the run's maximum
     * length; a pair left with nothing to learn in either answer is dropped and counted.
     */
    public void add(PreferenceExample pair, int maxSeqLength) {
        PreferenceExample.Answer chosen = pair.chosen();
        PreferenceExample.Answer rejected = pair.rejected();
        if (chosen.tokens() == null || rejected.tokens() == null) {
            throw new IllegalArgumentException("pair " + pair.id() + " has no token ids: the dataset version was"
                    + " built without a model; set \"model\" in the dataset spec and seal a new version");
        }
        SftExample chosenExample = SftExample.fromSpans(chosen.tokens(), chosen.lossSpans(), maxSeqLength);
        SftExample rejectedExample = SftExample.fromSpans(rejected.tokens(), rejected.lossSpans(), maxSeqLength);
        if (chosenExample.learnedTokens() == 0 || rejectedExample.learnedTokens() == 0) {
            dropped++;
            return;
        }
        for (SftExample example : List.of(chosenExample, rejectedExample)) {
            for (long id : example.tokens()) {
                maxTokenId = Math.max(maxTokenId, (int) id);
            }
        }
        preferences.add(new PreferencePair(chosenExample, rejectedExample));
    }

    /** The version's preference pairs, in manifest order. */
    public List<PreferencePair> preferences() {
        return preferences;
    }

    public List<SftExample> train() {
        return train;
    }

    /**
     * The train examples with the feedback samples making about {@code feedbackShare} of them: the
     * replay (every other train example once) followed by the feedback samples repeated
     * {@code round(share / (1 - share) * replay / feedback)} times (at least once). The training
     * loop's shuffled order then draws that share of each epoch from the feedback. Null, or a
     * version without feedback samples: {@link #train()}.
     */
    public List<SftExample> train(Double feedbackShare) {
        if (feedbackShare == null || feedback.isEmpty() || replay.isEmpty()) {
            return train;
        }
        long repeats = Math.max(1, Math.round(feedbackShare / (1 - feedbackShare) * replay.size() / feedback.size()));
        List<SftExample> weighted = new ArrayList<>(replay);
        for (long r = 0; r < repeats; r++) {
            weighted.addAll(feedback);
        }
        return weighted;
    }

    /** How many train examples are feedback samples. */
    public int feedbackExamples() {
        return feedback.size();
    }

    public List<SftExample> validation() {
        return validation;
    }

    /** Examples left with no learned token after cutting to the run's maximum length. */
    public long dropped() {
        return dropped;
    }

    public int maxTokenId() {
        return maxTokenId;
    }
}
