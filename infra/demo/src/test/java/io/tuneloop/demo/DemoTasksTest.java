package io.tuneloop.demo;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class DemoTasksTest {

    @Test
    void theSameSeedGivesTheSameRecordsAndEveryTaskIsThere() {
        List<DemoTasks.Example> a = DemoTasks.generate(30, 5);
        assertThat(DemoTasks.generate(30, 5)).isEqualTo(a);
        assertThat(DemoTasks.generate(30, 6)).isNotEqualTo(a);
        Map<String, Long> perTask = a.stream().collect(Collectors.groupingBy(DemoTasks.Example::task, Collectors.counting()));
        assertThat(perTask.keySet()).containsAll(DemoTasks.trainedTaskNames()).containsAll(DemoTasks.heldOutTaskNames());
        assertThat(perTask.values()).allSatisfy(n -> assertThat(n).isBetween(10L, 30L));
        assertThat(new HashSet<>(a)).hasSameSizeAs(a);
        assertThat(DemoTasks.heldOutTaskNames()).doesNotContainAnyElementsOf(DemoTasks.trainedTaskNames());
    }

    @Test
    void everyAnswerIsRight() {
        for (DemoTasks.Example e : DemoTasks.generate(50, 1)) {
            List<String> words = Arrays.asList(e.input().split(" "));
            switch (e.task()) {
                case "reverse_words" -> {
                    List<String> reversed = new java.util.ArrayList<>(words);
                    java.util.Collections.reverse(reversed);
                    assertThat(Arrays.asList(e.output().split(" "))).containsExactlyElementsOf(reversed);
                }
                case "first_word" -> assertThat(e.output()).isEqualTo(words.get(0));
                case "last_word" -> assertThat(e.output()).isEqualTo(words.get(words.size() - 1));
                case "second_word" -> assertThat(e.output()).isEqualTo(words.get(1));
                case "uppercase" -> assertThat(e.output()).isEqualTo(e.input().toUpperCase());
                case "sort_words" -> assertThat(Arrays.asList(e.output().split(" "))).isSorted().hasSameElementsAs(words);
                case "count_words" -> assertThat(e.output()).isEqualTo(String.valueOf(words.size()));
                case "add" -> assertThat(Integer.parseInt(e.output()))
                        .isEqualTo(Integer.parseInt(words.get(0)) + Integer.parseInt(words.get(2)));
                case "max_number" -> assertThat(e.output()).isEqualTo(words.stream().max((x, y) -> Integer.compare(
                        Integer.parseInt(x), Integer.parseInt(y))).orElseThrow());
                case "min_number" -> assertThat(e.output()).isEqualTo(words.stream().min((x, y) -> Integer.compare(
                        Integer.parseInt(x), Integer.parseInt(y))).orElseThrow());
                case "antonym" -> assertThat(DemoTasks.ANTONYMS.get(e.input()) != null
                        ? DemoTasks.ANTONYMS.get(e.input()) : DemoTasks.ANTONYMS.entrySet().stream()
                        .filter(x -> x.getValue().equals(e.input())).findFirst().orElseThrow().getKey()).isEqualTo(e.output());
                case "capital" -> assertThat(DemoTasks.CAPITALS.get(e.input())).isEqualTo(e.output());
                case "colour" -> assertThat(DemoTasks.COLOURS.get(e.input())).isEqualTo(e.output());
                case "repeat_word" -> assertThat(e.output()).isEqualTo(String.join(" ", e.input(), e.input(), e.input()));
                default -> throw new AssertionError("a task without a check: " + e.task());
            }
        }
    }
}
