package io.tuneloop.model.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weights of a model directory in Hugging Face layout: one {@code model.safetensors}, or shards
 * {@code model-00001-of-0000N.safetensors} listed by {@code model.safetensors.index.json}.
 */
public final class ShardedCheckpoint {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ShardedCheckpoint() {
    }

    /** Reads every tensor of the directory, from the index when there is one. */
    public static Map<String, Tensor> read(Path directory) {
        Path index = directory.resolve(INDEX_FILE);
        if (!Files.exists(index)) {
            Path single = directory.resolve(SINGLE_FILE);
            if (!Files.exists(single)) {
                throw new SafetensorsException(directory + " has neither " + SINGLE_FILE + " nor " + INDEX_FILE);
            }
            return SafetensorsFile.read(single).tensors();
        }
        JsonNode weightMap;
        try {
            weightMap = JSON.readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new SafetensorsException("cannot read " + index + ": " + e.getMessage(), e);
        }
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw new SafetensorsException(index + " has no weight_map");
        }
        Map<String, List<String>> byFile = new TreeMap<>();
        weightMap.fields().forEachRemaining(e -> byFile.computeIfAbsent(e.getValue().asText(), f -> new ArrayList<>())
                .add(e.getKey()));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var shard : byFile.entrySet()) {
            Map<String, Tensor> inShard = SafetensorsFile.read(directory.resolve(shard.getKey())).tensors();
            for (String name : shard.getValue()) {
                Tensor tensor = inShard.get(name);
                if (tensor == null) {
                    throw new SafetensorsException(INDEX_FILE + " puts " + name + " in " + shard.getKey()
                            + ", which does not contain it");
                }
                tensors.put(name, tensor);
            }
        }
        return tensors;
    }

    /**
     * Writes the tensors into one file when they fit in {@code maxShardBytes}, else into shards of at
     * most that size (a larger single tensor gets a shard of its own) plus the index.
     */
    public static void write(Path directory, Collection<Tensor> tensors, long maxShardBytes) {
        List<Tensor> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparing(Tensor::name));
        long total = ordered.stream().mapToLong(t -> t.data().remaining()).sum();
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(directory.resolve(INDEX_FILE));
        } catch (IOException e) {
            throw new SafetensorsException("cannot prepare " + directory + ": " + e.getMessage(), e);
        }
        if (total <= maxShardBytes) {
            SafetensorsFile.write(directory.resolve(SINGLE_FILE), ordered, Map.of());
            return;
        }
        List<List<Tensor>> shards = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long currentBytes = 0;
        for (Tensor tensor : ordered) {
            long bytes = tensor.data().remaining();
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(tensor);
            currentBytes += bytes;
        }
        shards.add(current);

        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode weightMap = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            String file = "model-%05d-of-%05d.safetensors".formatted(i + 1, shards.size());
            SafetensorsFile.write(directory.resolve(file), shards.get(i), Map.of());
            shards.get(i).forEach(t -> weightMap.put(t.name(), file));
        }
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(INDEX_FILE).toFile(), index);
            Files.deleteIfExists(directory.resolve(SINGLE_FILE));
        } catch (IOException e) {
            throw new SafetensorsException("cannot write " + INDEX_FILE + " in " + directory + ": " + e.getMessage(), e);
        }
    }
}
