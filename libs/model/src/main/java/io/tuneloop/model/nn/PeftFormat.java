package io.tuneloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.safetensors.SafetensorsFile;
import io.tuneloop.model.safetensors.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA adapters in PEFT's layout, so that {@code PeftModel.from_pretrained(base, dir)} loads them:
 * {@code adapter_config.json} and {@code adapter_model.safetensors} with tensor names
 * {@code base_model.model.<module>.lora_A.weight} / {@code .lora_B.weight}.
 */
public final class PeftFormat {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeftFormat() {
    }

    public static void save(LoraAdapters adapters, DecoderModel model, Path directory, String baseModel) {
        LoraAdapters.Config c = adapters.config();
        ObjectNode config = JSON.createObjectNode();
        config.put("peft_type", "LORA");
        config.put("task_type", "CAUSAL_LM");
        config.put("base_model_name_or_path", baseModel);
        config.put("r", c.rank());
        config.put("lora_alpha", c.alpha());
        config.put("lora_dropout", c.dropout());
        config.put("use_rslora", c.rsLora());
        config.put("use_dora", false);
        config.put("bias", "none");
        config.put("fan_in_fan_out", model.config().architecture() == Architecture.GPT2);
        config.put("inference_mode", true);
        var targets = config.putArray("target_modules");
        c.targets().forEach(targets::add);
        List<Tensor> tensors = new ArrayList<>();
        for (var entry : adapters.parameters().entrySet()) {
            NDArray array = entry.getValue();
            tensors.add(Tensor.ofFloats(PREFIX + entry.getKey(), array.getShape().getShape(), array.toFloatArray()));
        }
        try {
            Files.createDirectories(directory);
            JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(CONFIG).toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + CONFIG + " in " + directory, e);
        }
        SafetensorsFile.write(directory.resolve(WEIGHTS), tensors, Map.of());
    }

    public static LoraAdapters load(Path directory, DecoderModel model, NDManager parent) {
        JsonNode config;
        try {
            config = JSON.readTree(directory.resolve(CONFIG).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + CONFIG + " in " + directory, e);
        }
        if (!"LORA".equals(config.path("peft_type").asText())) {
            throw new IllegalArgumentException(directory + " holds a " + config.path("peft_type").asText()
                    + " adapter; tuneloop loads LORA adapters");
        }
        refuseUnsupported(config, directory, model);
        List<String> targets = new ArrayList<>();
        config.path("target_modules").forEach(t -> targets.add(t.asText()));
        LoraAdapters.Config c = new LoraAdapters.Config(config.path("r").asInt(), config.path("lora_alpha").asDouble(),
                config.path("lora_dropout").asDouble(0.0), targets, config.path("use_rslora").asBoolean(false));
        Map<String, float[]> values = new LinkedHashMap<>();
        SafetensorsFile.read(directory.resolve(WEIGHTS)).tensors().forEach((name, tensor) ->
                values.put(name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name, tensor.toFloat32()));
        return LoraAdapters.fromTensors(model, c, values, parent);
    }

    /**
     * Adapter settings that change what the adapter computes and that tuneloop does not implement:
     * loading them as plain LoRA would be silently wrong, so each is refused by name.
     */
    private static void refuseUnsupported(JsonNode config, Path directory, DecoderModel model) {
        List<String> problems = new ArrayList<>();
        if (config.path("use_dora").asBoolean(false)) {
            problems.add("use_dora (weight-decomposed LoRA)");
        }
        if (nonEmpty(config.get("modules_to_save"))) {
            problems.add("modules_to_save (fully trained extra modules)");
        }
        if (nonEmpty(config.get("rank_pattern"))) {
            problems.add("rank_pattern (per-module ranks)");
        }
        if (nonEmpty(config.get("alpha_pattern"))) {
            problems.add("alpha_pattern (per-module alphas)");
        }
        if (!config.path("bias").asText("none").equals("none")) {
            problems.add("bias=" + config.get("bias").asText() + " (trained biases)");
        }
        if (nonEmpty(config.get("layers_to_transform"))) {
            problems.add("layers_to_transform (adapters on some layers only)");
        }
        if (config.path("target_modules").isTextual()) {
            problems.add("target_modules as a regular expression");
        }
        boolean conv1d = model.config().architecture() == Architecture.GPT2;
        if (config.has("fan_in_fan_out") && config.get("fan_in_fan_out").asBoolean() != conv1d) {
            problems.add("fan_in_fan_out=" + config.get("fan_in_fan_out").asBoolean() + " for a " + model.config().modelType()
                    + " model");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the adapter in " + directory + " uses " + String.join(", ", problems)
                    + ", which tuneloop does not support");
        }
    }

    private static boolean nonEmpty(JsonNode node) {
        return node != null && !node.isNull() && (!node.isContainerNode() || !node.isEmpty());
    }
}
