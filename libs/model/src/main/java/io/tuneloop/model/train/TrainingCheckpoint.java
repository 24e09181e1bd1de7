package io.tuneloop.model.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.model.safetensors.SafetensorsFile;
import io.tuneloop.model.safetensors.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer's part of a checkpoint, next to the model (HF layout) or adapter (PEFT layout):
 * {@code trainer_state.json} (step, data cursor, seed) and {@code optimizer.safetensors} (AdamW's
 * moments as {@code exp_avg.<param>} and {@code exp_avg_sq.<param>}, PyTorch's names).
 */
public final class TrainingCheckpoint {
    public static final String STATE = "trainer_state.json";
    public static final String OPTIMIZER = "optimizer.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingCheckpoint() {
    }

    public static void save(Path directory, TrainerState state, AdamW optimizer) {
        List<Tensor> moments = new ArrayList<>();
        addAll(moments, "exp_avg.", optimizer.firstMoments());
        addAll(moments, "exp_avg_sq.", optimizer.secondMoments());
        try {
            Files.createDirectories(directory);
            JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(STATE).toFile(), state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + STATE + " in " + directory, e);
        }
        SafetensorsFile.write(directory.resolve(OPTIMIZER), moments, Map.of("optimizer_steps", String.valueOf(optimizer.steps())));
    }

    /** Restores the optimizer's moments into {@code optimizer} and returns the trainer state. */
    public static TrainerState load(Path directory, AdamW optimizer, Map<String, NDArray> trainable) {
        TrainerState state;
        try {
            state = JSON.readValue(directory.resolve(STATE).toFile(), TrainerState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATE + " in " + directory, e);
        }
        SafetensorsFile.Contents contents = SafetensorsFile.read(directory.resolve(OPTIMIZER));
        Map<String, float[]> first = new HashMap<>();
        Map<String, float[]> second = new HashMap<>();
        contents.tensors().forEach((name, tensor) -> {
            if (name.startsWith("exp_avg_sq.")) {
                second.put(name.substring("exp_avg_sq.".length()), tensor.toFloat32());
            } else if (name.startsWith("exp_avg.")) {
                first.put(name.substring("exp_avg.".length()), tensor.toFloat32());
            }
        });
        optimizer.restore(Long.parseLong(contents.metadata().getOrDefault("optimizer_steps", "0")), first, second, trainable);
        return state;
    }

    private static void addAll(List<Tensor> out, String prefix, Map<String, NDArray> arrays) {
        arrays.forEach((name, array) -> out.add(Tensor.ofFloats(prefix + name, array.getShape().getShape(), array.toFloatArray())));
    }
}
