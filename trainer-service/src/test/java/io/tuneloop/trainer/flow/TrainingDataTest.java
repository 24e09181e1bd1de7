package io.tuneloop.trainer.flow;

import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.model.train.SftExample;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingDataTest {

    /** A one-token-prompt example whose single learned token is {@code id}, of template {@code template}. */
    private static InstructionRecord example(int id, String template, String split) {
        return new InstructionRecord("r" + id + ":" + template, "r" + id, "t", null, template, "en", split, "p", "a", null,
                "text", new int[]{1, id}, List.of(new int[]{1, 2}), "f", id);
    }

    private static long feedbackDraws(List<SftExample> examples) {
        return examples.stream().filter(e -> e.tokens()[1] >= 100).count();
    }

    @Test
    void feedbackSamplesMakeTheAskedShareOfTheDrawsAndTheRestIsAReplayOfEveryOtherExample() {
        TrainingData data = new TrainingData();
        for (int i = 0; i < 40; i++) {
            data.add(example(i, "t-" + (i % 3), Splits.TRAIN), 16);
        }
        for (int i = 100; i < 104; i++) {
            data.add(example(i, InstructionRecord.FEEDBACK_TEMPLATE, Splits.TRAIN), 16);
        }
        data.add(example(200, "t-0", Splits.VALIDATION), 16);

        assertThat(data.train()).hasSize(44);
        assertThat(data.feedbackExamples()).isEqualTo(4);
        assertThat(data.train(null)).isSameAs(data.train());

        List<SftExample> half = data.train(0.5);
        // 40 replayed once + 4 samples x round(1 * 40 / 4) = 10 repeats
        assertThat(half).hasSize(80);
        assertThat(feedbackDraws(half)).isEqualTo(40);
        assertThat(half.stream().filter(e -> e.tokens()[1] < 100).count()).isEqualTo(40);

        List<SftExample> fifth = data.train(0.2);
        assertThat(feedbackDraws(fifth) / (double) fifth.size()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(0.05));
        // the validation example is never a training draw
        assertThat(half).noneMatch(e -> e.tokens()[1] == 200);
    }

    @Test
    void aVersionWithoutFeedbackSamplesTrainsAsItIs() {
        TrainingData data = new TrainingData();
        for (int i = 0; i < 5; i++) {
            data.add(example(i, "t", Splits.TRAIN), 16);
        }
        assertThat(data.train(0.5)).isSameAs(data.train());
    }
}
