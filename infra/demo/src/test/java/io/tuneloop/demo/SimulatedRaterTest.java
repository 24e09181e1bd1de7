package io.tuneloop.demo;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedRaterTest {
    private static final List<DemoTasks.Example> KEY = List.of(
            new DemoTasks.Example("first_word", "What is the first word?", "red", "red"),
            new DemoTasks.Example("first_word", "What is the first word?", "red blue green", "red"),
            new DemoTasks.Example("reverse_words", "Reverse the order of the words.", "apple river stone", "stone river apple"));

    @Test
    void theAnswerComesFromTheRecordThePromptWasRenderedFromTheLongestInputFirst() {
        SimulatedRater rater = new SimulatedRater(KEY, 1, 0);
        assertThat(rater.answerFor("reverse_words", "Q: Reverse the order of the words. (apple river stone)\nA:", null))
                .contains("stone river apple");
        assertThat(rater.answerFor("first_word", "Given: red blue green\nRequest: What is the first word?", null)).contains("red");
        assertThat(rater.answerFor("unknown", "Anything", "a reference")).contains("a reference");
        assertThat(rater.answerFor("unknown", "Anything", null)).isEmpty();
    }

    @Test
    void rightIsTopRatedCloseIsMiddlingWrongIsCorrectedAndUnknownIsNeutral() {
        SimulatedRater rater = new SimulatedRater(KEY, 1, 0);
        String prompt = "Reverse the order of the words.\napple river stone";
        assertThat(rater.judge("reverse_words", prompt, "Stone river apple.", null))
                .isEqualTo(new SimulatedRater.Judgement(5, List.of("helpful"), null));
        assertThat(rater.judge("reverse_words", prompt, "stone apple river", null).likert()).isEqualTo(3);
        assertThat(rater.judge("reverse_words", prompt, "banana", null))
                .isEqualTo(new SimulatedRater.Judgement(2, List.of("fails_task"), "stone river apple"));
        assertThat(rater.judge("ifeval", "Write two paragraphs.", "Some text", null))
                .isEqualTo(new SimulatedRater.Judgement(3, List.of(), null));
    }

    @Test
    void aHarshRaterScoresOnePointLowerAndStaysWithinTheAgreementSpread() {
        SimulatedRater harsh = new SimulatedRater(KEY, 1, 1.0);
        String prompt = "Reverse the order of the words.\napple river stone";
        assertThat(harsh.judge("reverse_words", prompt, "stone river apple", null).likert()).isEqualTo(4);
        assertThat(harsh.judge("reverse_words", prompt, "banana", null).likert()).isEqualTo(1);
        assertThat(SimulatedRater.wordF1("a b c", "a b c")).isEqualTo(1.0);
        assertThat(SimulatedRater.wordF1("x", "a b")).isZero();
    }
}
