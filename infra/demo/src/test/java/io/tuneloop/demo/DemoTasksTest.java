package io.tuneloop.demo;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    void theTaughtTasksThreePartsShareNoInputAndAreNotInTheGeneratedRecords() {
        DemoTasks.Taught taught = DemoTasks.taught(10, 64, 64, 11);
        assertThat(taught.thin()).hasSize(10);
        assertThat(taught.pool()).hasSize(64);
        assertThat(taught.suite()).hasSize(64);
        Set<String> inputs = new HashSet<>();
        for (List<DemoTasks.Example> part : List.of(taught.thin(), taught.pool(), taught.suite())) {
            part.forEach(e -> assertThat(inputs.add(e.input())).as(e.input()).isTrue());
        }
        assertThat(DemoTasks.generate(30, 11)).noneMatch(e -> e.task().equals(DemoTasks.taughtTaskName()));
        assertThat(DemoTasks.taught(10, 64, 64, 11)).isEqualTo(taught);
        assertThat(DemoTasks.userPrompt(taught.pool().get(0))).startsWith(taught.pool().get(0).instruction() + "\n");
    }

    @Test
    void everyAnswerIsRight() {
        List<DemoTasks.Example> all = new java.util.ArrayList<>(DemoTasks.generate(50, 1));
        DemoTasks.Taught taught = DemoTasks.taught(10, 20, 20, 1);
        all.addAll(taught.thin());
        all.addAll(taught.pool());
        all.addAll(taught.suite());
        for (DemoTasks.Example e : all) {
            List<String> words = Arrays.asList(e.input().split(" "));
            switch (e.task()) {
                case "first_word" -> assertThat(e.output()).isEqualTo(words.get(0));
                case "last_word" -> assertThat(e.output()).isEqualTo(words.get(words.size() - 1));
                case "second_word" -> assertThat(e.output()).isEqualTo(words.get(1));
                case "first_number" -> assertThat(e.output()).isEqualTo(words.get(0));
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
