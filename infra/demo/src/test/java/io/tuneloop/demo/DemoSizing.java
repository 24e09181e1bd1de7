package io.tuneloop.demo;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.TinyModelFactory;
import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.Message;
import io.tuneloop.model.generate.GenerationConfig;
import io.tuneloop.model.generate.Generator;
import io.tuneloop.model.generate.StopTokens;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.train.LrSchedule;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.model.train.SftTrainer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * How the demo's sizes were chosen: the demo's data, model and training loop without the stack, so
 * one setting costs minutes rather than a whole demo. It renders the demo's records with its
 * phrasings (read from demo-templates.yaml; demo-07 and demo-08 held out), mixes tasks by
 * temperature, trains round 1 from the base with {@link SftTrainer}, then round 2 from round 1's
 * model on the taught task's pool prompts (with their computed answers, as agreed corrections
 * would give) at {@code share} of the draws, and prints exact match on every validation record in
 * a held-out phrasing and on the taught task's suite. It is not the demo: the stack's formatter
 * splits by record hash and eval scores 64 prompts per suite, so the demo's numbers differ by a
 * few points. Settings are system properties (defaults: the full profile):
 *
 * <pre>
 * ./mvnw -q -pl infra/demo -am install -DskipTests
 * ./mvnw -q -pl infra/demo dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 * java -cp "$(cat /tmp/cp.txt):infra/demo/target/classes:infra/demo/target/test-classes" \
 *      -Dsteps=1200 -Dbatch=64 io.tuneloop.demo.DemoSizing
 * </pre>
 */
public final class DemoSizing {
    private static final DemoProfile FULL = DemoProfile.FULL;
    private static final Set<String> HELD_OUT_TEMPLATES = Set.of("demo-07", "demo-08");

    private DemoSizing() {
    }

    public static void main(String[] args) throws Exception {
        int steps = integer("steps", (int) FULL.totalSteps());
        int batch = integer("batch", FULL.batchSize());
        double lr = number("lr", FULL.learningRate());
        int perTask = integer("perTask", FULL.examplesPerTask());
        double temperature = number("temperature", 2.0);
        int roundSteps = integer("roundSteps", (int) FULL.roundSteps());
        double share = number("share", DemoProfile.FEEDBACK_SHARE);
        TinyModelFactory.Spec spec = new TinyModelFactory.Spec(Architecture.LLAMA, integer("d", FULL.model().hiddenSize()),
                integer("layers", FULL.model().layers()), 4, 2, 256, integer("merges", FULL.model().merges()), DType.F32,
                Long.MAX_VALUE);
        long started = System.nanoTime();

        List<String[]> templates = templates(); // {id, prompt part, response part}
        List<DemoTasks.Example> records = new ArrayList<>(DemoTasks.generate(perTask, 11));
        DemoTasks.Taught taught = DemoTasks.taught(FULL.taughtRecords(), FULL.poolPrompts(), FULL.evalPrompts(), 11);
        records.addAll(taught.thin());
        List<String> corpus = new ArrayList<>();
        records.forEach(e -> corpus.add(e.instruction() + "\n" + e.input() + "\n" + e.output()));
        templates.forEach(t -> corpus.add(t[1] + " " + t[2]));
        Path base = Files.createTempDirectory("demo-sizing-base");
        TinyModelFactory.write(base, spec, corpus, 3);

        try (TextTokenizer tokenizer = TextTokenizer.load(base)) {
            ChatTemplate chat = ChatTemplate.ofModel(tokenizer).orElseThrow();
            Map<String, List<SftExample>> trainByTask = new TreeMap<>();
            Scored heldOutPhrasings = new Scored();
            Random random = new Random(5);
            List<String[]> seen = templates.stream().filter(t -> !HELD_OUT_TEMPLATES.contains(t[0])).toList();
            List<String[]> heldOut = templates.stream().filter(t -> HELD_OUT_TEMPLATES.contains(t[0])).toList();
            for (DemoTasks.Example e : records) {
                if (DemoTasks.heldOutTaskNames().contains(e.task())) {
                    continue;
                }
                double unit = Math.abs((e.instruction() + e.input()).hashCode() % 1000) / 1000.0;
                if (unit < 0.1) { // validation: scored in a held-out phrasing
                    String[] rendered = render(heldOut.get(random.nextInt(heldOut.size())), e);
                    heldOutPhrasings.add(e.task(), prompt(tokenizer, chat, rendered[0]), rendered[1]);
                } else if (unit >= 0.2) { // [0.1, 0.2) is the review split
                    List<String[]> shuffled = new ArrayList<>(seen);
                    Collections.shuffle(shuffled, random);
                    for (String[] template : shuffled.subList(0, 2)) {
                        String[] rendered = render(template, e);
                        trainByTask.computeIfAbsent(e.task(), t -> new ArrayList<>()).add(example(tokenizer, chat, rendered));
                    }
                }
            }
            List<SftExample> train = mixed(trainByTask, temperature);
            Scored taughtSuite = new Scored();
            taught.suite().forEach(e -> taughtSuite.add(e.task(), prompt(tokenizer, chat, DemoTasks.userPrompt(e)), e.output()));
            List<SftExample> samples = new ArrayList<>();
            taught.pool().forEach(e -> samples.add(example(tokenizer, chat, new String[]{DemoTasks.userPrompt(e), e.output()})));
            System.out.printf("%d training examples (mean %.1f tokens), vocabulary %d, %d held-out-phrasing prompts%n",
                    train.size(), train.stream().mapToInt(SftExample::length).average().orElse(0), tokenizer.vocabSize(),
                    heldOutPhrasings.prompts.size());

            Path round1 = train(base, train, steps, batch, lr, 7);
            System.out.printf("round 1: %d steps of %d at lr %g in %.0f s%n", steps, batch, lr, seconds(started));
            evaluate("round 1", base, round1, tokenizer, heldOutPhrasings, taughtSuite);

            long repeats = Math.max(1, Math.round(share / (1 - share) * train.size() / samples.size()));
            List<SftExample> weighted = new ArrayList<>(train);
            for (long r = 0; r < repeats; r++) {
                weighted.addAll(samples);
            }
            long round2Started = System.nanoTime();
            Path round2 = train(round1, weighted, roundSteps, batch, lr / 3, 8);
            System.out.printf("round 2: %d steps from round 1, %.0f%% of the draws on %d samples, in %.0f s%n", roundSteps,
                    100 * share, samples.size(), seconds(round2Started));
            evaluate("round 2", base, round2, tokenizer, heldOutPhrasings, taughtSuite);
        }
    }

    /** Prompts with their references, scored by exact match (normalised as the simulated raters compare). */
    private static final class Scored {
        final List<String> tasks = new ArrayList<>();
        final List<long[]> prompts = new ArrayList<>();
        final List<String> references = new ArrayList<>();

        void add(String task, long[] prompt, String reference) {
            tasks.add(task);
            prompts.add(prompt);
            references.add(reference);
        }
    }

    private static Path train(Path from, List<SftExample> train, int steps, int batch, double lr, long seed) throws IOException {
        Path out = Files.createTempDirectory("demo-sizing-run");
        SftTrainer.Settings settings = new SftTrainer.Settings(SftTrainer.Mode.FULL, null, batch, 1, 1.0, 0.01,
                LrSchedule.cosine(lr, Math.max(1, steps / 20), steps, 0.1), 0, seed, 0, DemoProfile.MODEL);
        double[] window = {0, 0};
        Consumer<io.tuneloop.model.train.StepRecord> progress = s -> {
            window[0] += s.loss();
            window[1]++;
            if ((s.step() + 1) % 250 == 0) {
                System.out.printf("  step %d: mean loss %.3f%n", s.step() + 1, window[0] / window[1]);
                window[0] = 0;
                window[1] = 0;
            }
        };
        SftTrainer.train(settings, from, null, train, List.of(), new SftTrainer.StepRange(0, steps), out, Device.cpu(),
                progress, () -> false, written -> { });
        Models.copyModelFiles(from, out);
        return out;
    }

    private static void evaluate(String what, Path base, Path model, TextTokenizer tokenizer, Scored... suites) {
        try (NDManager root = NDManager.newBaseManager(Device.cpu()); DecoderModel tuned = Models.load(model, root, Device.cpu())) {
            Set<Long> stops = StopTokens.of(base, tokenizer);
            StringBuilder line = new StringBuilder(what + ":");
            for (int i = 0; i < suites.length; i++) {
                line.append(String.format(" %s EM %.1f", i == 0 ? "held-out phrasings" : "taught task",
                        exactMatch(tuned, tokenizer, stops, suites[i], root)));
            }
            System.out.println(line);
        }
    }

    private static double exactMatch(DecoderModel model, TextTokenizer tokenizer, Set<Long> stops, Scored suite, NDManager root) {
        GenerationConfig greedy = GenerationConfig.greedy(24, stops);
        Map<String, int[]> perTask = new TreeMap<>();
        int right = 0;
        for (int from = 0; from < suite.prompts.size(); from += 16) {
            List<Generator.Generated> outputs = Generator.generateScored(model,
                    suite.prompts.subList(from, Math.min(from + 16, suite.prompts.size())), greedy, tokenizer::decode, root);
            for (int i = 0; i < outputs.size(); i++) {
                String response = tokenizer.decodeSkippingSpecial(outputs.get(i).tokens());
                boolean ok = SimulatedRater.normalise(response).equals(SimulatedRater.normalise(suite.references.get(from + i)));
                right += ok ? 1 : 0;
                int[] counts = perTask.computeIfAbsent(suite.tasks.get(from + i), t -> new int[2]);
                counts[0]++;
                counts[1] += ok ? 1 : 0;
            }
        }
        StringBuilder tasks = new StringBuilder("  per task:");
        perTask.forEach((task, c) -> tasks.append(' ').append(task).append('=').append(c[1]).append('/').append(c[0]));
        System.out.println(tasks);
        return 100.0 * right / suite.prompts.size();
    }

    /** Each task's examples repeated or cut to its share under temperature mixing (the formatter's Mixer). */
    private static List<SftExample> mixed(Map<String, List<SftExample>> byTask, double temperature) {
        double total = 0;
        double weights = 0;
        for (List<SftExample> examples : byTask.values()) {
            total += examples.size();
            weights += Math.pow(examples.size(), 1 / temperature);
        }
        List<SftExample> mixed = new ArrayList<>();
        for (List<SftExample> examples : byTask.values()) {
            long count = Math.round(total * Math.pow(examples.size(), 1 / temperature) / weights);
            for (int i = 0; i < count; i++) {
                mixed.add(examples.get(i % examples.size()));
            }
        }
        return mixed;
    }

    private static SftExample example(TextTokenizer tokenizer, ChatTemplate chat, String[] promptAndResponse) {
        return SftExample.tokenize(chat.renderForTraining(List.of(Message.user(promptAndResponse[0]),
                Message.assistant(promptAndResponse[1]))), tokenizer, 128, false);
    }

    private static long[] prompt(TextTokenizer tokenizer, ChatTemplate chat, String text) {
        return tokenizer.encode(chat.render(List.of(Message.user(text)), true), chat.encodesSpecialTokens());
    }

    private static String[] render(String[] template, DemoTasks.Example e) {
        return new String[]{fill(template[1], e), fill(template[2], e)};
    }

    private static String fill(String text, DemoTasks.Example e) {
        return text.replace("{{ instruction }}", e.instruction()).replace("{{ input }}", e.input())
                .replace("{{ output }}", e.output());
    }

    /** The demo's phrasings as {id, prompt, response}: demo-templates.yaml's double-quoted (JSON-escaped) strings. */
    private static List<String[]> templates() throws IOException {
        List<String[]> templates = new ArrayList<>();
        String id = null;
        try (InputStream in = DemoSizing.class.getResourceAsStream("/demo-templates.yaml")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                String trimmed = line.strip();
                if (trimmed.startsWith("- id: ")) {
                    id = trimmed.substring("- id: ".length());
                } else if (trimmed.startsWith("jinja: ")) {
                    String jinja = StackClient.JSON.readValue(trimmed.substring("jinja: ".length()), String.class);
                    int separator = jinja.indexOf("|||");
                    templates.add(new String[]{id, jinja.substring(0, separator).stripTrailing(),
                            jinja.substring(separator + 3).stripLeading()});
                }
            }
        }
        return templates;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static int integer(String name, int fallback) {
        return Integer.parseInt(System.getProperty(name, String.valueOf(fallback)));
    }

    private static double number(String name, double fallback) {
        return Double.parseDouble(System.getProperty(name, String.valueOf(fallback)));
    }
}
