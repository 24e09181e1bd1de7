package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.AttentionMasks;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.LoraAdapters;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.safetensors.Tensor;
import io.tuneloop.model.train.DpoLoss;
import io.tuneloop.model.train.DpoStep;
import io.tuneloop.model.train.DpoTrainer;
import io.tuneloop.model.train.LrSchedule;
import io.tuneloop.model.train.PreferencePair;
import io.tuneloop.model.train.ReferenceLogProbs;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.model.train.SftTrainer;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.model.train.TrainStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * DPO against numbers computed outside the trainer: the loss from log-probabilities summed by hand
 * over unpadded single-sequence forward passes, the gradient by central finite differences of that
 * hand-computed loss; and training behaviour: margins and accuracy rise, resumed ranges equal an
 * uninterrupted run.
 */
class DpoTest extends EngineTest {
    private static final double BETA = 0.5;

    @TempDir
    Path dir;

    /** Prompt (not learned) + response (learned, with an eos-like last token), random ids. */
    private static List<PreferencePair> pairs(int count, long seed) {
        Random random = new Random(seed);
        List<PreferencePair> pairs = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            long[] prompt = random.longs(3 + random.nextInt(4), 2, 90).toArray();
            pairs.add(new PreferencePair(sequence(prompt, random.longs(2 + random.nextInt(3), 2, 90).toArray()),
                    sequence(prompt, random.longs(2 + random.nextInt(4), 2, 90).toArray())));
        }
        return pairs;
    }

    private static SftExample sequence(long[] prompt, long[] response) {
        long[] tokens = new long[prompt.length + response.length + 1];
        boolean[] trained = new boolean[tokens.length];
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        System.arraycopy(response, 0, tokens, prompt.length, response.length);
        tokens[tokens.length - 1] = 1; // eos
        Arrays.fill(trained, prompt.length, tokens.length, true);
        return new SftExample(tokens, trained);
    }

    /** log p(learned tokens) of one sequence, from the logits of an unpadded forward pass, in double. */
    private static double handLogProb(DecoderModel model, SftExample example) {
        int t = example.length();
        int vocab = model.config().vocabSize();
        float[] logits;
        try (NDManager scope = root.newSubManager()) {
            model.borrowParameters(scope);
            boolean[][] valid = new boolean[1][t];
            Arrays.fill(valid[0], true);
            NDArray input = scope.create(example.tokens(), new Shape(1, t));
            logits = model.forward(input, AttentionMasks.positions(scope, valid, 0, t),
                    AttentionMasks.causal(scope, valid, 0, t), null).toFloatArray(); // (1, T, V)
        }
        double sum = 0;
        for (int i = 0; i + 1 < t; i++) {
            if (!example.trained()[i + 1]) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[i * vocab + v]);
            }
            double z = 0;
            for (int v = 0; v < vocab; v++) {
                z += Math.exp(logits[i * vocab + v] - max);
            }
            sum += logits[i * vocab + (int) example.tokens()[i + 1]] - max - Math.log(z);
        }
        return sum;
    }

    private static double handLoss(DecoderModel model, List<DpoStep.ReferencedPair> pairs) {
        double loss = 0;
        for (DpoStep.ReferencedPair p : pairs) {
            double margin = BETA * ((handLogProb(model, p.pair().chosen()) - p.referenceChosen())
                    - (handLogProb(model, p.pair().rejected()) - p.referenceRejected()));
            loss += Math.log1p(Math.exp(-margin));
        }
        return loss / pairs.size();
    }

    private static DecoderModel model(ModelConfig config, Map<String, Tensor> tensors) {
        return Models.fromTensors(config, tensors, root, Device.cpu());
    }

    @Test
    void theLossAndItsGradientEqualAHandComputedReference() {
        ModelConfig config = DecoderModelTest.tiny(Architecture.LLAMA);
        Map<String, Tensor> weights = Models.initialise(config, 3);
        List<PreferencePair> pairs = pairs(3, 11);
        // references unlike the policy, so that the margins are neither 0 nor all of one sign
        List<DpoStep.ReferencedPair> referenced = new ArrayList<>();
        double[][] offsets = {{-1.5, 0.5}, {2.0, -0.25}, {0.3, 0.9}};
        try (DecoderModel policy = model(config, weights)) {
            for (int i = 0; i < pairs.size(); i++) {
                referenced.add(new DpoStep.ReferencedPair(pairs.get(i),
                        handLogProb(policy, pairs.get(i).chosen()) + offsets[i][0],
                        handLogProb(policy, pairs.get(i).rejected()) + offsets[i][1]));
            }
        }

        // the trainer's loss and gradients: two micro-batches (2 + 1 pairs), padded, stacked
        Map<String, float[]> gradients = new HashMap<>();
        DpoStep.Result result;
        double expectedLoss;
        try (DecoderModel policy = model(config, weights); NDManager scope = root.newSubManager()) {
            expectedLoss = handLoss(policy, referenced);
            TrainStep.requireGradients(policy.parameters());
            policy.borrowParameters(scope);
            result = DpoStep.accumulateGradients(policy, List.of(referenced.subList(0, 2), referenced.subList(2, 3)),
                    BETA, scope);
            policy.parameters().forEach((name, p) -> gradients.put(name, p.getGradient().toFloatArray()));
        }
        assertThat(result.loss()).isCloseTo(expectedLoss, within(1e-5));
        // margins by hand: beta * ((-offset_c) - (-offset_r)) at the policy's own log-probs
        double[] margins = Arrays.stream(offsets).mapToDouble(o -> BETA * (o[1] - o[0])).toArray();
        assertThat(result.margin()).isCloseTo(Arrays.stream(margins).average().orElseThrow(), within(1e-5));
        assertThat(result.accuracy()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(result.loss()).isCloseTo(Arrays.stream(margins).map(DpoLoss::perPair).average().orElseThrow(),
                within(1e-5));

        // the gradient: central differences of the hand-computed loss, entry by entry
        String norm = "model.norm.weight";
        String down = weights.keySet().stream().filter(n -> n.contains("layers.0.mlp.down_proj")).findFirst().orElseThrow();
        String query = weights.keySet().stream().filter(n -> n.contains("layers.1.self_attn.q_proj")).findFirst().orElseThrow();
        double eps = 1e-2;
        int checked = 0;
        double largest = 0;
        for (String name : List.of(norm, down, query)) {
            for (int index : new int[]{0, 5, 17}) {
                double plus = perturbedLoss(config, weights, name, index, eps, referenced);
                double minus = perturbedLoss(config, weights, name, index, -eps, referenced);
                double numeric = (plus - minus) / (2 * eps);
                double analytic = gradients.get(name)[index];
                assertThat(analytic).as(name + "[" + index + "]").isCloseTo(numeric, within(2e-4 + 2e-2 * Math.abs(numeric)));
                largest = Math.max(largest, Math.abs(numeric));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(9);
        assertThat(largest).as("the checked entries carry a real gradient").isGreaterThan(1e-3);
    }

    private static double perturbedLoss(ModelConfig config, Map<String, Tensor> weights, String name, int index,
                                        double delta, List<DpoStep.ReferencedPair> pairs) {
        Map<String, Tensor> changed = new HashMap<>(weights);
        Tensor tensor = weights.get(name);
        float[] values = tensor.toFloat32();
        values[index] += (float) delta;
        changed.put(name, Tensor.ofFloats(name, tensor.shape(), values));
        try (DecoderModel model = model(config, changed)) {
            return handLoss(model, pairs);
        }
    }

    private Path baseModel(Architecture architecture) {
        ModelConfig config = DecoderModelTest.tiny(architecture);
        Path base = dir.resolve("base-" + architecture);
        try (DecoderModel model = model(config, Models.initialise(config, 7))) {
            Models.save(model, base, DType.F32, Long.MAX_VALUE);
        }
        return base;
    }

    private static DpoTrainer.Settings settings(SftTrainer.Mode mode, Architecture architecture, double lr) {
        LoraAdapters.Config lora = mode == SftTrainer.Mode.LORA ? new LoraAdapters.Config(4, 8,
                LoraAdapters.defaultTargets(DecoderModelTest.tiny(architecture))) : null;
        return new DpoTrainer.Settings(new SftTrainer.Settings(mode, lora, 2, 2, 1.0, 0.0,
                LrSchedule.cosine(lr, 2, 24, 0.1), 0, 42, 0, "tiny"), BETA);
    }

    private static final java.util.function.BooleanSupplier NEVER = () -> false;

    @ParameterizedTest
    @EnumSource(SftTrainer.Mode.class)
    void onTrainingPairsTheRewardMarginAndAccuracyRise(SftTrainer.Mode mode) {
        Path base = baseModel(Architecture.LLAMA);
        List<PreferencePair> train = pairs(8, 5);
        double lr = mode == SftTrainer.Mode.LORA ? 3e-2 : 1e-2;
        SftTrainer.Outcome outcome = DpoTrainer.train(settings(mode, Architecture.LLAMA, lr), base, null, train,
                new SftTrainer.StepRange(0, 24), dir.resolve("out-" + mode), Device.cpu(), s -> { }, NEVER, s -> { });
        List<StepRecord> steps = outcome.steps();
        // the policy starts as its reference: no margin, the loss is log 2
        assertThat(steps.get(0).rewardMargin()).isCloseTo(0, within(1e-3));
        assertThat(steps.get(0).loss()).isCloseTo(Math.log(2), within(1e-3));
        double firstMargin = steps.subList(0, 4).stream().mapToDouble(StepRecord::rewardMargin).average().orElseThrow();
        double lastMargin = steps.subList(20, 24).stream().mapToDouble(StepRecord::rewardMargin).average().orElseThrow();
        double lastAccuracy = steps.subList(20, 24).stream().mapToDouble(StepRecord::rewardAccuracy).average().orElseThrow();
        assertThat(lastMargin).as("margin, last steps vs first").isGreaterThan(firstMargin + 0.4);
        assertThat(lastAccuracy).isEqualTo(1.0);
        assertThat(steps.get(23).loss()).isLessThan(steps.get(0).loss() * 0.7);

        // measured afresh on every training pair: the trained policy prefers the chosen response
        try (NDManager scope = root.newSubManager();
             DecoderModel start = Models.load(base, scope, Device.cpu())) {
            ReferenceLogProbs reference = ReferenceLogProbs.compute(start, train, 4, scope);
            Path out = dir.resolve("out-" + mode);
            try (DecoderModel trained = mode == SftTrainer.Mode.FULL ? Models.load(out, scope, Device.cpu())
                    : Models.load(base, scope, Device.cpu())) {
                if (mode == SftTrainer.Mode.LORA) {
                    trained.useAdapters(io.tuneloop.model.nn.PeftFormat.load(out, trained, scope));
                }
                ReferenceLogProbs after = ReferenceLogProbs.compute(trained, train, 4, scope);
                for (int i = 0; i < train.size(); i++) {
                    double margin = BETA * ((after.chosen()[i] - reference.chosen()[i])
                            - (after.rejected()[i] - reference.rejected()[i]));
                    assertThat(margin).as("pair " + i).isGreaterThan(0);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SftTrainer.Mode.class)
    void resumedRangesEqualAnUninterruptedRun(SftTrainer.Mode mode) {
        Path base = baseModel(Architecture.LLAMA);
        List<PreferencePair> train = pairs(5, 9);
        DpoTrainer.Settings settings = settings(mode, Architecture.LLAMA, 1e-2);
        SftTrainer.Outcome whole = DpoTrainer.train(settings, base, null, train, new SftTrainer.StepRange(0, 6),
                dir.resolve("whole"), Device.cpu(), s -> { }, NEVER, s -> { });
        SftTrainer.Outcome first = DpoTrainer.train(settings, base, null, train, new SftTrainer.StepRange(0, 3),
                dir.resolve("shard-0"), Device.cpu(), s -> { }, NEVER, s -> { });
        SftTrainer.Outcome second = DpoTrainer.train(settings, base, dir.resolve("shard-0"), train,
                new SftTrainer.StepRange(3, 6), dir.resolve("shard-1"), Device.cpu(), s -> { }, NEVER, s -> { });
        List<StepRecord> chained = new ArrayList<>(first.steps());
        chained.addAll(second.steps());
        assertThat(chained).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(chained.get(i).loss()).as("loss of step " + i).isCloseTo(whole.steps().get(i).loss(), within(1e-6));
            assertThat(chained.get(i).rewardMargin()).as("margin of step " + i)
                    .isCloseTo(whole.steps().get(i).rewardMargin(), within(1e-6));
        }
        assertThat(second.state()).isEqualTo(whole.state());
        assertThat(dir.resolve("shard-1").resolve(ReferenceLogProbs.FILE)).exists();

        // a range given other pairs than its run's refuses the stored reference
        assertThatThrownBy(() -> DpoTrainer.train(settings, base, dir.resolve("shard-0"), pairs(5, 10),
                new SftTrainer.StepRange(3, 6), dir.resolve("other"), Device.cpu(), s -> { }, NEVER, s -> { }))
                .hasMessageContaining("computed for other pairs");
    }

    @Test
    void packingAndANonPositiveBetaAreRefused() {
        SftTrainer.Settings packed = new SftTrainer.Settings(SftTrainer.Mode.FULL, null, 2, 1, 1.0, 0.0,
                LrSchedule.constant(1e-3), 64, 1, 0, "tiny");
        assertThatThrownBy(() -> new DpoTrainer.Settings(packed, 0.1)).hasMessageContaining("packing");
        assertThatThrownBy(() -> new DpoTrainer.Settings(settings(SftTrainer.Mode.FULL, Architecture.LLAMA, 1e-3).training(), 0))
                .hasMessageContaining("beta");
        assertThatThrownBy(() -> new PreferencePair(new SftExample(new long[]{3, 4}, new boolean[]{false, false}),
                new SftExample(new long[]{3, 5}, new boolean[]{false, true}))).hasMessageContaining("chosen (0)");
    }
}
