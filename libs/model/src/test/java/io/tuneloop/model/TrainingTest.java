package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.chat.ChatTemplate;
import io.tuneloop.model.chat.Message;
import io.tuneloop.model.generate.GenerationConfig;
import io.tuneloop.model.generate.Generator;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.tokenizer.TinyTokenizerFactory;
import io.tuneloop.model.train.AdamW;
import io.tuneloop.model.train.Batch;
import io.tuneloop.model.train.CausalLmLoss;
import io.tuneloop.model.train.LrSchedule;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.model.train.TrainStep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TrainingTest {
    private static final List<Message[]> EXAMPLES = List.of(
            new Message[]{Message.user("What is the opposite of hot?"), Message.assistant("cold")},
            new Message[]{Message.user("Add 2 and 3."), Message.assistant("5")},
            new Message[]{Message.user("Say hello in French."), Message.assistant("bonjour")},
            new Message[]{Message.user("Name a primary color."), Message.assistant("red")});

    @TempDir
    static Path tokenizerDir;
    private static NDManager root;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager(Device.cpu());
        List<String> corpus = new ArrayList<>();
        for (Message[] e : EXAMPLES) {
            corpus.add(ChatTemplate.chatml().render(List.of(e), false));
        }
        TinyTokenizerFactory.write(tokenizerDir, corpus, 60, 256);
        tokenizer = TextTokenizer.load(tokenizerDir);
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
        root.close();
    }

    private static ModelConfig config() {
        return new ModelConfig(Architecture.LLAMA, "llama", tokenizer.vocabSize(), 64, 2, 4, 2, 128, 128, 1e-6, 10000,
                true, false, -1, tokenizer.eosId().orElseThrow(), "float32");
    }

    private static DecoderModel newModel(long seed) {
        return Models.fromTensors(config(), Models.initialise(config(), seed), root, Device.cpu());
    }

    private static SftExample example(Message[] turns) {
        return SftExample.tokenize(ChatTemplate.chatml().renderForTraining(List.of(turns)), tokenizer, 128, false)
                .requireLearnable();
    }

    private static long pad() {
        return tokenizer.padId().orElseThrow();
    }

    @Test
    void theLossCountsOnlyLearnedTokens() {
        try (NDManager m = root.newSubManager()) {
            float[] logits = new float[2 * 3];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) Math.sin(i);
            }
            NDArray l = m.create(logits, new Shape(1, 2, 3));
            NDArray targets = m.create(new long[]{2, Batch.IGNORE}, new Shape(1, 2));
            double expected = -(logits[2] - Math.log(Math.exp(logits[0]) + Math.exp(logits[1]) + Math.exp(logits[2])));
            assertThat(CausalLmLoss.sum(l, targets).getFloat()).isCloseTo((float) expected, within(1e-5f));
        }
    }

    @Test
    void theResponseAndItsEosAreLearnedButThePromptAndPaddingAreNot() {
        SftExample e = example(EXAMPLES.get(0));
        long eos = tokenizer.eosId().orElseThrow();
        int firstLearned = -1;
        for (int i = 0; i < e.length(); i++) {
            if (e.trained()[i] && firstLearned < 0) {
                firstLearned = i;
            }
        }
        assertThat(tokenizer.decode(java.util.Arrays.copyOfRange(e.tokens(), firstLearned, e.length())))
                .isEqualTo("cold<|im_end|>\n");
        assertThat(e.trained()[e.length() - 2]).isTrue();
        assertThat(e.tokens()[e.length() - 2]).isEqualTo(eos);

        Batch batch = Batch.of(List.of(e, example(EXAMPLES.get(2))), eos); // pad == eos must not hide eos
        assertThat(batch.learnedTokens()).isEqualTo(e.learnedTokens() + example(EXAMPLES.get(2)).learnedTokens());
    }

    @Test
    void anExampleWithNothingToLearnFailsLoudly() {
        SftExample promptOnly = SftExample.tokenize(List.of(new io.tuneloop.model.chat.Segment("just a prompt", false)),
                tokenizer, 64, false);
        assertThatThrownBy(promptOnly::requireLearnable).hasMessageContaining("no response token to learn");
        SftExample cut = SftExample.tokenize(ChatTemplate.chatml().renderForTraining(List.of(EXAMPLES.get(0))), tokenizer, 5, false);
        assertThatThrownBy(cut::requireLearnable).hasMessageContaining("maximum length");
    }

    @Test
    void fourMicroBatchesGiveTheGradientOfOneBatchOfFour() {
        List<SftExample> examples = EXAMPLES.stream().map(TrainingTest::example).toList();
        try (DecoderModel a = newModel(7); DecoderModel b = newModel(7); NDManager scope = root.newSubManager()) {
            TrainStep.requireGradients(a.parameters());
            TrainStep.requireGradients(b.parameters());
            a.borrowParameters(scope);
            b.borrowParameters(scope);
            List<Batch> micro = examples.stream().map(e -> Batch.of(List.of(e), pad())).toList();
            var lossA = TrainStep.accumulateGradients(a, micro, scope);
            var lossB = TrainStep.accumulateGradients(b, List.of(Batch.of(examples, pad())), scope);
            assertThat(lossA.loss()).isCloseTo(lossB.loss(), within(1e-5));
            for (String name : a.parameters().keySet()) {
                float[] ga = a.parameters().get(name).getGradient().toFloatArray();
                float[] gb = b.parameters().get(name).getGradient().toFloatArray();
                for (int i = 0; i < ga.length; i++) {
                    assertThat(ga[i]).as(name).isCloseTo(gb[i], within(2e-6f + Math.abs(gb[i]) * 1e-4f));
                }
            }
            TrainStep.zeroGradients(a.parameters(), scope);
            TrainStep.zeroGradients(b.parameters(), scope);
        }
    }

    @Test
    void packingGivesTheLossAndGradientsOfSeparateRows() {
        List<SftExample> examples = EXAMPLES.stream().map(TrainingTest::example).toList();
        int row = examples.stream().mapToInt(SftExample::length).sum();
        Batch packed = Batch.packed(examples, row, pad());
        assertThat(packed.size()).isEqualTo(1);
        try (DecoderModel a = newModel(8); DecoderModel b = newModel(8); NDManager scope = root.newSubManager()) {
            TrainStep.requireGradients(a.parameters());
            TrainStep.requireGradients(b.parameters());
            a.borrowParameters(scope);
            b.borrowParameters(scope);
            var separate = TrainStep.accumulateGradients(a, List.of(Batch.of(examples, pad())), scope);
            var together = TrainStep.accumulateGradients(b, List.of(packed), scope);
            assertThat(together.learnedTokens()).isEqualTo(separate.learnedTokens());
            assertThat(together.loss()).isCloseTo(separate.loss(), within(1e-5));
            for (String name : a.parameters().keySet()) {
                float[] ga = a.parameters().get(name).getGradient().toFloatArray();
                float[] gb = b.parameters().get(name).getGradient().toFloatArray();
                for (int i = 0; i < ga.length; i++) {
                    assertThat(gb[i]).as(name).isCloseTo(ga[i], within(2e-6f + Math.abs(ga[i]) * 1e-4f));
                }
            }
            TrainStep.zeroGradients(a.parameters(), scope);
            TrainStep.zeroGradients(b.parameters(), scope);
        }
    }

    @Test
    void sameSeedSameDataSameLosses() {
        assertThat(train(11, 5, 3e-3).losses()).containsExactlyElementsOf(train(11, 5, 3e-3).losses());
    }

    private record Trained(DecoderModel model, List<Double> losses) {
    }

    private static Trained train(long seed, int steps, double lr) {
        DecoderModel model = newModel(seed);
        TrainStep.requireGradients(model.parameters());
        List<SftExample> examples = EXAMPLES.stream().map(TrainingTest::example).toList();
        LrSchedule schedule = LrSchedule.cosine(lr, 10, steps, 0.1);
        List<Double> losses = new ArrayList<>();
        try (AdamW adamW = AdamW.defaults(root, 0.0)) {
            for (int step = 0; step < steps; step++) {
                losses.add(TrainStep.run(model, model.parameters(), adamW, List.of(Batch.of(examples, pad())),
                        schedule.at(step), 1.0, root).loss());
            }
        }
        model.close();
        return new Trained(null, losses);
    }

    @Test
    void aStepRunsOnAWorkerThreadWhoseAutogradIsStillOn() throws Exception {
        // a server's worker thread: PyTorch's grad mode is on until someone turns it off
        DecoderModel model = newModel(5);
        TrainStep.requireGradients(model.parameters());
        SftExample e = example(EXAMPLES.get(0));
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread worker = new Thread(() -> {
            try (AdamW adamW = AdamW.defaults(root, 0.0)) {
                ai.djl.pytorch.jni.JniUtils.setGradMode(true);
                TrainStep.run(model, model.parameters(), adamW, List.of(Batch.of(List.of(e), pad())), 1e-3, 1.0, root);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        worker.join();
        assertThat(failure.get()).isNull();
    }

    @Test
    void aTinyModelOverfitsAFewExamplesAndThenAnswersThemExactly() {
        DecoderModel model = newModel(3);
        TrainStep.requireGradients(model.parameters());
        List<SftExample> examples = EXAMPLES.stream().map(TrainingTest::example).toList();
        double loss = Double.MAX_VALUE;
        try (AdamW adamW = AdamW.defaults(root, 0.0)) {
            LrSchedule schedule = LrSchedule.cosine(3e-3, 10, 300, 0.1);
            for (int step = 0; step < 300 && loss > 0.01; step++) {
                loss = TrainStep.run(model, model.parameters(), adamW, List.of(Batch.of(examples, pad())),
                        schedule.at(step), 1.0, root).loss();
            }
        }
        assertThat(loss).isLessThan(0.05);

        List<long[]> prompts = new ArrayList<>();
        for (Message[] e : EXAMPLES) {
            prompts.add(tokenizer.encode(ChatTemplate.chatml().render(List.of(e[0]), true)));
        }
        GenerationConfig greedy = GenerationConfig.greedy(10, Set.of((long) tokenizer.eosId().orElseThrow()));
        List<long[]> answers = Generator.generate(model, prompts, greedy, tokenizer::decode, root);
        // a model that knows its answers is sure of them: low entropy at every step
        for (Generator.Generated g : Generator.generateScored(model, prompts, greedy, tokenizer::decode, root)) {
            assertThat(g.meanEntropy()).isLessThan(0.5);
        }
        assertThat(Generator.entropy(new float[] {0, 0, 0, 0})).isCloseTo(Math.log(4), org.assertj.core.api.Assertions.within(1e-9));
        assertThat(Generator.entropy(new float[] {50, 0, 0, 0})).isLessThan(1e-6);
        for (int i = 0; i < EXAMPLES.size(); i++) {
            assertThat(tokenizer.decode(answers.get(i))).isEqualTo(EXAMPLES.get(i)[1].content());
        }
        List<long[]> withoutCache = Generator.generate(model, prompts, greedy.withKvCache(false), tokenizer::decode, root);
        for (int i = 0; i < answers.size(); i++) {
            assertThat(withoutCache.get(i)).containsExactly(answers.get(i));
        }
        List<long[]> stopped = Generator.generate(model, prompts.subList(2, 3), greedy.withStopStrings(List.of("jo")),
                tokenizer::decode, root);
        String stoppedText = tokenizer.decode(stopped.get(0));
        assertThat(stoppedText).startsWith("bonjo").isNotEqualTo("bonjour");
        assertThat(Generator.cutAtStop(stoppedText, List.of("jo"))).isEqualTo("bon");
        List<long[]> sampled = Generator.generate(model, prompts, greedy.withSampling(0.8, 5, 0.9, 42), tokenizer::decode, root);
        assertThat(Generator.generate(model, prompts, greedy.withSampling(0.8, 5, 0.9, 42), tokenizer::decode, root))
                .usingRecursiveComparison().isEqualTo(sampled);
        model.close();
    }

    @org.junit.jupiter.api.Test
    void aStepWhoseLossIsNotFiniteIsNotAppliedAndFailsWithTheReason() {
        try (DecoderModel model = newModel(11)) {
            NDArray embedding = model.parameters().get("model.embed_tokens.weight");
            float[] before = embedding.toFloatArray();
            float[] poisoned = before.clone();
            java.util.Arrays.fill(poisoned, Float.NaN);
            embedding.set(poisoned);
            TrainStep.requireGradients(model.parameters());
            try (AdamW adamW = AdamW.defaults(root, 0.0)) {
                assertThatThrownBy(() -> TrainStep.run(model, model.parameters(), adamW,
                        List.of(Batch.of(List.of(example(EXAMPLES.get(0))), 0)), 1e-3, 1.0, root))
                        .isInstanceOf(io.tuneloop.model.train.NonFiniteStepException.class)
                        .hasMessageContaining("loss is NaN").hasMessageContaining("not applied");
            }
            NDArray norm = model.parameters().get("model.norm.weight");
            assertThat(norm.toFloatArray()).containsOnly(1f); // the optimizer never ran
        }
    }
}
