package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.train.AdamW;
import io.tuneloop.model.train.LrSchedule;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.model.train.TrainerState;
import io.tuneloop.model.train.TrainingCheckpoint;
import io.tuneloop.model.train.TrainingLoop;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A run interrupted at step N and resumed from its checkpoint produces the losses of an uninterrupted run. */
class ResumeTest extends EngineTest {
    @TempDir
    Path dir;

    private static List<SftExample> examples() {
        Random random = new Random(5);
        List<SftExample> examples = new ArrayList<>();
        for (int e = 0; e < 7; e++) {
            int length = 5 + random.nextInt(6);
            long[] tokens = new long[length];
            boolean[] trained = new boolean[length];
            for (int i = 0; i < length; i++) {
                tokens[i] = 2 + random.nextInt(90);
                trained[i] = i >= length / 2;
            }
            examples.add(new SftExample(tokens, trained));
        }
        return examples;
    }

    private static final TrainingLoop.Settings SETTINGS =
            new TrainingLoop.Settings(2, 2, 1.0, LrSchedule.cosine(5e-3, 2, 8, 0.1));

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void aResumedRunContinuesExactlyLikeAnUninterruptedOne(Architecture architecture) {
        ModelConfig config = DecoderModelTest.tiny(architecture);
        List<Double> uninterrupted = new ArrayList<>();
        try (DecoderModel model = Models.fromTensors(config, Models.initialise(config, 1), root, Device.cpu());
             AdamW adamW = AdamW.defaults(root, 0.01)) {
            TrainingLoop loop = new TrainingLoop(model, model.parameters(), adamW, examples(), SETTINGS, 0, root,
                    TrainerState.start(42));
            for (int i = 0; i < 8; i++) {
                uninterrupted.add(loop.step().loss());
            }
        }

        List<Double> resumed = new ArrayList<>();
        Path checkpoint = dir.resolve("shard-0");
        try (DecoderModel model = Models.fromTensors(config, Models.initialise(config, 1), root, Device.cpu());
             AdamW adamW = AdamW.defaults(root, 0.01)) {
            TrainingLoop loop = new TrainingLoop(model, model.parameters(), adamW, examples(), SETTINGS, 0, root,
                    TrainerState.start(42));
            for (int i = 0; i < 3; i++) {
                resumed.add(loop.step().loss());
            }
            Models.save(model, checkpoint, DType.F32, Long.MAX_VALUE);
            TrainingCheckpoint.save(checkpoint, loop.state(), adamW);
        }
        try (DecoderModel model = Models.load(checkpoint, root, Device.cpu()); AdamW adamW = AdamW.defaults(root, 0.01)) {
            TrainerState state = TrainingCheckpoint.load(checkpoint, adamW, model.parameters());
            assertThat(state.step()).isEqualTo(3);
            TrainingLoop loop = new TrainingLoop(model, model.parameters(), adamW, examples(), SETTINGS, 0, root, state);
            for (int i = 3; i < 8; i++) {
                resumed.add(loop.step().loss());
            }
        }
        assertThat(resumed).hasSize(8);
        for (int i = 0; i < 8; i++) {
            assertThat(resumed.get(i)).as("step " + i).isCloseTo(uninterrupted.get(i), org.assertj.core.api.Assertions.within(1e-6));
        }
        assertThat(uninterrupted.get(7)).isLessThan(uninterrupted.get(0));
    }
}
