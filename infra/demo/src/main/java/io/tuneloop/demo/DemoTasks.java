package io.tuneloop.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The demo's synthetic instruction set: many small tasks whose answers are computed, so every
 * record is right and a simulated rater can tell a right response from a wrong one. Each task has
 * several instruction wordings (the template library multiplies them again); some tasks are held
 * out of training entirely and measure zero-shot transfer, and one ({@link #TAUGHT}) is what the
 * raters teach. Tasks are small on purpose: a model of about a million parameters learns them in
 * minutes on a CPU. Reversing a list of words was one of them; at this size and budget the model
 * never learned it (4% exact match after 1,000 steps of 64 examples), so it is not in the demo.
 */
public final class DemoTasks {

    /** One instruction record (Alpaca shape plus its task name, as the ingest service takes it). */
    public record Example(String task, String instruction, String input, String output) {
    }

    /** A task: its wordings and how an answer follows from an input. */
    record Task(String name, List<String> instructions, Function<Random, String[]> inputAndOutput) {
    }

    static final List<String> WORDS = List.of("apple", "river", "stone", "cloud", "tiger", "lemon", "piano", "candle",
            "forest", "window", "rocket", "garden", "silver", "pepper", "island", "camera", "bridge", "meadow",
            "violin", "button", "planet", "rabbit", "tomato", "marble", "dragon", "pencil", "orange", "saddle");

    static final Map<String, String> ANTONYMS = ordered("hot", "cold", "big", "small", "fast", "slow", "happy", "sad",
            "light", "dark", "early", "late", "open", "closed", "full", "empty", "high", "low", "old", "new",
            "rich", "poor", "soft", "hard", "wet", "dry", "loud", "quiet", "strong", "weak", "thick", "thin");

    static final Map<String, String> CAPITALS = ordered("France", "Paris", "Japan", "Tokyo", "Italy", "Rome",
            "Spain", "Madrid", "Egypt", "Cairo", "Kenya", "Nairobi", "Peru", "Lima", "Norway", "Oslo", "Greece",
            "Athens", "Cuba", "Havana", "Chile", "Santiago", "Poland", "Warsaw", "Canada", "Ottawa", "Ireland",
            "Dublin", "Austria", "Vienna", "Portugal", "Lisbon");

    static final Map<String, String> COLOURS = ordered("banana", "yellow", "grass", "green", "sky", "blue", "snow",
            "white", "coal", "black", "cherry", "red", "carrot", "orange", "plum", "purple", "lime", "green",
            "milk", "white", "blood", "red", "ocean", "blue", "sun", "yellow", "crow", "black", "strawberry", "red");

    /** Tasks the model is trained on. */
    static final List<Task> TRAINED = List.of(
            new Task("first_word", List.of("What is the first word?", "Give the first word of the list.",
                    "Copy only the word that comes first."), r -> {
                List<String> words = words(r, 3 + r.nextInt(2));
                return new String[]{String.join(" ", words), words.get(0)};
            }),
            new Task("last_word", List.of("What is the last word?", "Give the final word of the list.",
                    "Copy only the word that comes last."), r -> {
                List<String> words = words(r, 3 + r.nextInt(2));
                return new String[]{String.join(" ", words), words.get(words.size() - 1)};
            }),
            new Task("uppercase", List.of("Write the words in capital letters.", "Convert the text to upper case.",
                    "Make every letter uppercase."), r -> {
                String text = String.join(" ", words(r, 2));
                return new String[]{text, text.toUpperCase(Locale.ROOT)};
            }),
            new Task("sort_words", List.of("Sort the words alphabetically.", "Put the words in alphabetical order.",
                    "Arrange these words from A to Z."), r -> {
                List<String> words = words(r, 3);
                return new String[]{String.join(" ", words), String.join(" ", words.stream().sorted().toList())};
            }),
            new Task("repeat_word", List.of("Repeat the word three times.", "Say the word three times, separated by spaces.",
                    "Write the word out three times."), r -> {
                String word = pick(r, WORDS);
                return new String[]{word, word + " " + word + " " + word};
            }),
            new Task("antonym", List.of("Give the opposite of the word.", "What is the antonym?",
                    "Name the word that means the opposite."), r -> lookup(r, ANTONYMS, true)),
            new Task("capital", List.of("What is the capital city of this country?", "Name the capital.",
                    "Which city is the capital?"), r -> lookup(r, CAPITALS, false)),
            new Task("colour", List.of("What colour is it usually?", "Name the usual colour of this thing.",
                    "Which colour is this typically?"), r -> lookup(r, COLOURS, false)),
            new Task("add", List.of("Add the two numbers.", "What is the sum?", "Compute the total of these numbers."), r -> {
                int a = r.nextInt(10);
                int b = r.nextInt(10);
                return new String[]{a + " + " + b, String.valueOf(a + b)};
            }),
            new Task("count_words", List.of("How many words are there?", "Count the words.",
                    "Give the number of words in the text."), r -> {
                List<String> words = words(r, 2 + r.nextInt(5));
                return new String[]{String.join(" ", words), String.valueOf(words.size())};
            }),
            new Task("max_number", List.of("Which number is the largest?", "Give the biggest number in the list.",
                    "Find the maximum."), r -> {
                List<Integer> numbers = numbers(r, 4);
                return new String[]{join(numbers), String.valueOf(numbers.stream().max(Comparator.naturalOrder()).orElseThrow())};
            }));

    /** Tasks never trained on: the held-out-tasks suite (zero-shot transfer). */
    static final List<Task> HELD_OUT = List.of(
            new Task("second_word", List.of("What is the second word?", "Give the word that comes second."), r -> {
                List<String> words = words(r, 4);
                return new String[]{String.join(" ", words), words.get(1)};
            }),
            new Task("first_number", List.of("What is the first number?", "Give the number that comes first."), r -> {
                List<Integer> numbers = numbers(r, 4);
                return new String[]{join(numbers), String.valueOf(numbers.get(0))};
            }));

    /**
     * The behaviour the raters teach: the uploaded data covers it thinly (a handful of records), so
     * round 1 mostly gets it wrong (it answers the largest number, the task it knows best); its
     * prompts come to raters through a review-pool file, and their corrections train round 2. A
     * suite of its own, on other inputs, measures whether round 2 learned it.
     */
    static final Task TAUGHT = new Task("min_number", List.of("Which number is the smallest?",
            "Give the lowest number in the list.", "Find the minimum."), r -> {
        List<Integer> numbers = numbers(r, 4);
        return new String[]{join(numbers), String.valueOf(numbers.stream().min(Comparator.naturalOrder()).orElseThrow())};
    });

    /**
     * The taught task's records, split three ways on distinct inputs: {@code thin} go into the
     * upload, {@code pool} are the review-pool prompts raters judge, {@code suite} are the eval
     * suite's. No input is in two of them, so no suite prompt can become training data.
     */
    public record Taught(List<Example> thin, List<Example> pool, List<Example> suite) {
    }

    public static Taught taught(int thin, int pool, int suite, long seed) {
        Random random = new Random(seed * 31 + TAUGHT.name().hashCode());
        Map<String, Example> byInput = new LinkedHashMap<>();
        for (int attempt = 0; byInput.size() < thin + pool + suite && attempt < (thin + pool + suite) * 20; attempt++) {
            String[] io = TAUGHT.inputAndOutput().apply(random);
            byInput.putIfAbsent(io[0], new Example(TAUGHT.name(), pick(random, TAUGHT.instructions()), io[0], io[1]));
        }
        List<Example> all = new ArrayList<>(byInput.values());
        if (all.size() < thin + pool + suite) {
            throw new IllegalStateException("the taught task has only " + all.size() + " distinct inputs");
        }
        return new Taught(all.subList(0, thin), all.subList(thin, thin + pool), all.subList(thin + pool, thin + pool + suite));
    }

    /** The text a user would type for an example: the instruction, then the input (the review pool's and suite's prompts). */
    public static String userPrompt(Example e) {
        return e.instruction() + "\n" + e.input();
    }

    private DemoTasks() {
    }

    public static List<String> heldOutTaskNames() {
        return HELD_OUT.stream().map(Task::name).toList();
    }

    public static List<String> trainedTaskNames() {
        return TRAINED.stream().map(Task::name).toList();
    }

    public static String taughtTaskName() {
        return TAUGHT.name();
    }

    /**
     * {@code perTask} distinct examples of every task (trained and held out), the same for the same
     * seed; wordings are drawn per example.
     */
    public static List<Example> generate(int perTask, long seed) {
        List<Example> examples = new ArrayList<>();
        List<Task> all = new ArrayList<>(TRAINED);
        all.addAll(HELD_OUT);
        for (Task task : all) {
            Random random = new Random(seed * 31 + task.name().hashCode());
            Map<String, Example> distinct = new LinkedHashMap<>();
            // lookup tasks have few distinct inputs; wordings make the rest of the variety
            for (int attempt = 0; distinct.size() < perTask && attempt < perTask * 20; attempt++) {
                String[] io = task.inputAndOutput().apply(random);
                String instruction = pick(random, task.instructions());
                distinct.putIfAbsent(instruction + "\n" + io[0], new Example(task.name(), instruction, io[0], io[1]));
            }
            examples.addAll(distinct.values());
        }
        return examples;
    }

    private static List<String> words(Random random, int count) {
        List<String> pool = new ArrayList<>(WORDS);
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            picked.add(pool.remove(random.nextInt(pool.size())));
        }
        return picked;
    }

    private static List<Integer> numbers(Random random, int count) {
        List<Integer> pool = new ArrayList<>(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            picked.add(pool.remove(random.nextInt(pool.size())));
        }
        return picked;
    }

    private static String[] lookup(Random random, Map<String, String> table, boolean bothWays) {
        List<String> keys = new ArrayList<>(table.keySet());
        String key = pick(random, keys);
        if (bothWays && random.nextBoolean()) {
            return new String[]{table.get(key), key};
        }
        return new String[]{key, table.get(key)};
    }

    private static <T> T pick(Random random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static String join(List<Integer> numbers) {
        return String.join(" ", numbers.stream().map(String::valueOf).toList());
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
