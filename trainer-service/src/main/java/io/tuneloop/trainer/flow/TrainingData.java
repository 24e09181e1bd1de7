package io.tuneloop.trainer.flow;

import io.tuneloop.events.JsonLines;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.model.train.SftExample;

import java.util.ArrayList;
import java.util.List;

/**
 * A dataset version's examples as the training loop takes them: token ids and a mask that is true
 * on the loss spans (the response and its end-of-turn token). Examples are cut to the run's maximum
 * length; one left with nothing to learn is dropped and counted, never trained on with a zero loss.
 */
public final class TrainingData {
    private final List<SftExample> train = new ArrayList<>();
    private final List<SftExample> validation = new ArrayList<>();
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
    }

    public List<SftExample> train() {
        return train;
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
