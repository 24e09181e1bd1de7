package io.tuneloop.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A stand-in for a human rater: it knows the right answer of every demo prompt (it finds the
 * record the prompt was rendered from) and judges a response the way the rating guidelines ask:
 * 5 or 4 when it is right, 3 when it is close, 1 or 2 with the right answer as a correction when
 * it is wrong. Every item gets a rating, so each reaches its overlap. Raters differ a little (a seeded chance of scoring one point lower), as people do.
 */
public final class SimulatedRater {

    /** What the rater sends: a Likert score, labels and, for a wrong response, a correction. */
    public record Judgement(int likert, List<String> labels, String correctedResponse) {
    }

    private final Map<String, List<DemoTasks.Example>> examplesByTask = new HashMap<>();
    private final Random random;
    private final double harshness;

    /**
     * @param examples  every record the demo uploaded (the rater's answer key)
     * @param seed      this rater's randomness
     * @param harshness chance of scoring one point lower than the response deserves
     */
    public SimulatedRater(List<DemoTasks.Example> examples, long seed, double harshness) {
        for (DemoTasks.Example example : examples) {
            examplesByTask.computeIfAbsent(example.task(), t -> new ArrayList<>()).add(example);
        }
        this.random = new Random(seed);
        this.harshness = harshness;
    }

    /**
     * The right answer for a prompt: the output of the record of {@code task} whose instruction and
     * input the prompt contains (the longest input wins: "red" is inside "red blue"), else the
     * reference the item came with.
     */
    public Optional<String> answerFor(String task, String prompt, String reference) {
        DemoTasks.Example best = null;
        for (DemoTasks.Example example : examplesByTask.getOrDefault(task, List.of())) {
            boolean matches = prompt.contains(example.instruction()) && prompt.contains(example.input());
            if (matches && (best == null || example.input().length() > best.input().length())) {
                best = example;
            }
        }
        if (best != null) {
            return Optional.of(best.output());
        }
        return reference == null || reference.isBlank() ? Optional.empty() : Optional.of(reference);
    }

    /**
     * The rating of {@code response}. A prompt with no known answer (an IFEval instruction, say) gets
     * a neutral 3 without a correction: it counts as reviewed but never becomes training data.
     */
    public Judgement judge(String task, String prompt, String response, String reference) {
        Optional<String> answer = answerFor(task, prompt, reference);
        if (answer.isEmpty()) {
            return new Judgement(3, List.of(), null);
        }
        double overlap = wordF1(response, answer.get());
        boolean lower = random.nextDouble() < harshness;
        if (normalise(response).equals(normalise(answer.get()))) {
            return new Judgement(lower ? 4 : 5, List.of("helpful"), null);
        }
        if (overlap >= 0.5) {
            return new Judgement(lower ? 2 : 3, List.of(), null);
        }
        return new Judgement(lower ? 1 : 2, List.of("fails_task"), answer.get());
    }

    /**
     * Which of two answers to one prompt is better: "this" or "other" when exactly one of them is
     * the right answer; nothing when both or neither are (a tie teaches no preference).
     */
    public Optional<String> prefer(String task, String prompt, String thisResponse, String otherResponse,
                                   String reference) {
        Optional<String> answer = answerFor(task, prompt, reference);
        if (answer.isEmpty()) {
            return Optional.empty();
        }
        boolean thisRight = normalise(thisResponse).equals(normalise(answer.get()));
        boolean otherRight = normalise(otherResponse).equals(normalise(answer.get()));
        return thisRight == otherRight ? Optional.empty() : Optional.of(thisRight ? "this" : "other");
    }

    static String normalise(String text) {
        return text.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s.!\"]+$", "").replaceAll("\\s+", " ");
    }

    /** Word-level F1 of two texts (SQuAD's token F1): how much of the answer the response has. */
    static double wordF1(String response, String answer) {
        List<String> got = Arrays.asList(normalise(response).split(" "));
        List<String> want = new ArrayList<>(Arrays.asList(normalise(answer).split(" ")));
        int common = 0;
        for (String word : got) {
            if (want.remove(word)) {
                common++;
            }
        }
        if (common == 0) {
            return 0;
        }
        double precision = (double) common / got.size();
        double recall = (double) common / (common + want.size());
        return 2 * precision * recall / (precision + recall);
    }
}
