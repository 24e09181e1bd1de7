package io.tuneloop.trainer.store;

import com.fasterxml.jackson.core.type.TypeReference;
import io.tuneloop.events.EventJson;
import io.tuneloop.model.train.StepRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code steps.json}: the steps a checkpoint's shard took, with their losses. */
public final class StepsFile {
    private StepsFile() {
    }

    public static void write(Path file, List<StepRecord> steps) {
        try {
            Files.write(file, EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(steps));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static List<StepRecord> read(byte[] json) {
        try {
            return EventJson.mapper().readValue(json, new TypeReference<List<StepRecord>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt steps.json", e);
        }
    }
}
