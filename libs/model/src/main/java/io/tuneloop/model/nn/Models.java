package io.tuneloop.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.safetensors.ShardedCheckpoint;
import io.tuneloop.model.safetensors.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Loading, saving and initialising models in Hugging Face layout. A user's checkpoint and one
 * written by the factory go through the same {@link #load} path: config.json, then the weights
 * (single file or sharded index, F32/F16/BF16 widened to float32 in Java).
 */
public final class Models {
    public static final String CONFIG = "config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";
    /** Buffers that old GPT-2 checkpoints carry next to the weights; they are recomputed, not learned. */
    private static final Set<String> IGNORED_SUFFIXES = Set.of(".attn.bias", ".attn.masked_bias");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Models() {
    }

    public static DecoderModel load(Path directory, NDManager parent, Device device) {
        return load(directory, parent, device, DataType.FLOAT32);
    }

    /**
     * Loads a model for computing in {@code computeType}: FLOAT32 (training and CPU), or FLOAT16 for
     * inference on a GPU (norm statistics, attention softmax and logits stay float32). BF16 cannot be
     * a compute type: the PyTorch JNI of DJL 0.35 has no BF16 mapping.
     */
    public static DecoderModel load(Path directory, NDManager parent, Device device, DataType computeType) {
        ModelConfig config = ModelConfig.read(directory.resolve(CONFIG));
        return fromTensors(config, ShardedCheckpoint.read(directory), parent, device, computeType);
    }

    /**
     * A checkpoint as a model: a PEFT adapter ({@code adapter_config.json}) on its base, routed through
     * the adapters, or full weights in Hugging Face layout. The adapters live in {@code parent}.
     */
    public static DecoderModel loadCheckpoint(Path base, Path checkpoint, NDManager parent, Device device) {
        if (isAdapterCheckpoint(checkpoint)) {
            DecoderModel model = load(base, parent, device);
            model.useAdapters(PeftFormat.load(checkpoint, model, parent));
            return model;
        }
        return load(checkpoint, parent, device);
    }

    /** Whether a checkpoint directory holds a LoRA adapter (PEFT layout) rather than full weights. */
    public static boolean isAdapterCheckpoint(Path checkpoint) {
        return java.nio.file.Files.exists(checkpoint.resolve(PeftFormat.CONFIG));
    }

    /** Builds a model from named tensors, checking that every parameter is there with its shape. */
    public static DecoderModel fromTensors(ModelConfig config, Map<String, Tensor> tensors, NDManager parent,
                                           Device device) {
        return fromTensors(config, tensors, parent, device, DataType.FLOAT32);
    }

    public static DecoderModel fromTensors(ModelConfig config, Map<String, Tensor> tensors, NDManager parent,
                                           Device device, DataType computeType) {
        if (computeType != DataType.FLOAT32 && computeType != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute type must be FLOAT32 or FLOAT16, was " + computeType);
        }
        if (computeType == DataType.FLOAT16 && ("bfloat16".equals(config.torchDtype())
                || tensors.values().stream().anyMatch(t -> t.dtype() == DType.BF16))) {
            throw new IllegalArgumentException("FLOAT16 compute is refused for a bfloat16 checkpoint: bfloat16 values"
                    + " beyond float16's range (65504) would become infinite; compute in FLOAT32");
        }
        Map<String, Tensor> byName = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> byName.put(canonical(config, name), tensor));
        Map<String, long[]> layout = ParameterLayout.of(config);
        List<String> unexpected = new ArrayList<>();
        for (String name : byName.keySet()) {
            boolean tiedHead = name.equals("lm_head.weight") && config.tieWordEmbeddings();
            if (!layout.containsKey(name) && !tiedHead && IGNORED_SUFFIXES.stream().noneMatch(name::endsWith)) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException("checkpoint has tensors this " + config.modelType()
                    + " model does not use: " + unexpected.subList(0, Math.min(5, unexpected.size())));
        }
        NDManager manager = parent.newSubManager(device);
        try {
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            for (var entry : layout.entrySet()) {
                Tensor tensor = byName.get(entry.getKey());
                if (tensor == null) {
                    throw new IllegalArgumentException("checkpoint lacks " + entry.getKey());
                }
                if (!Arrays.equals(tensor.shape(), entry.getValue())) {
                    throw new IllegalArgumentException(entry.getKey() + " has shape " + Arrays.toString(tensor.shape())
                            + ", the config says " + Arrays.toString(entry.getValue()));
                }
                NDArray array = manager.create(tensor.asFloat32().floats(), new Shape(tensor.shape()));
                if (computeType != DataType.FLOAT32) {
                    NDArray converted = array.toType(computeType, false);
                    array.close();
                    array = converted;
                }
                array.setName(entry.getKey());
                parameters.put(entry.getKey(), array);
            }
            return config.architecture() == Architecture.GPT2
                    ? new Gpt2Model(config, manager, parameters)
                    : new LlamaModel(config, manager, parameters);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Writes the weights in {@code dtype} (sharded above {@code maxShardBytes}) and config.json: the
     * config the model was loaded from with only torch_dtype set to {@code dtype}, so fields tuneloop
     * does not model survive. A model made in code also gets a generation_config.json; a loaded one
     * keeps its base's ({@link #copyModelFiles}).
     */
    public static void save(DecoderModel model, Path directory, DType dtype, long maxShardBytes) {
        ModelConfig config = model.config();
        List<Tensor> tensors = new ArrayList<>();
        for (var entry : model.parameters().entrySet()) {
            NDArray array = entry.getValue();
            Tensor tensor = Tensor.ofFloats(entry.getKey(), array.getShape().getShape(),
                    array.toType(DataType.FLOAT32, false).toFloatArray());
            tensors.add(tensor.convertTo(dtype));
        }
        ModelConfig saved = config.withTorchDtype(dtype.torchName());
        try {
            Files.createDirectories(directory);
            JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(CONFIG).toFile(), saved.toJson());
            if (config.source() == null) {
                var generation = JSON.createObjectNode();
                if (config.bosTokenId() >= 0) {
                    generation.put("bos_token_id", config.bosTokenId());
                }
                if (config.eosTokenId() >= 0) {
                    generation.put("eos_token_id", config.eosTokenId());
                }
                JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(GENERATION_CONFIG).toFile(), generation);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the config of " + directory, e);
        }
        ShardedCheckpoint.write(directory, tensors, maxShardBytes);
    }

    /**
     * Fresh weights for {@code config} from {@code seed}: normal(0, 0.02) matrices, residual output
     * projections scaled by 1/sqrt(2 * layers) (GPT-2's init), norms at 1, biases at 0. Drawn in Java,
     * so the same seed gives the same model on any engine or device.
     */
    public static Map<String, Tensor> initialise(ModelConfig config, long seed) {
        Random random = new Random(seed);
        double residualStd = 0.02 / Math.sqrt(2.0 * config.numLayers());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var entry : ParameterLayout.of(config).entrySet()) {
            String name = entry.getKey();
            long[] shape = entry.getValue();
            float[] values = new float[Math.toIntExact(count(shape))];
            if (name.endsWith(".bias")) {
                Arrays.fill(values, 0f);
            } else if (shape.length == 1) {
                Arrays.fill(values, 1f); // norm gains
            } else {
                double std = ParameterLayout.isResidualProjection(name) ? residualStd : 0.02;
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * std);
                }
            }
            tensors.put(name, Tensor.ofFloats(name, shape, values));
        }
        return tensors;
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * Copies the files a fine-tuned model shares with its base, unchanged: the tokenizer files
     * (tokenizer.json, tokenizer_config.json, special_tokens_map.json, chat_template.jinja) and
     * generation_config.json, whichever exist, so it keeps its template, eos ids and sampling defaults.
     */
    public static void copyModelFiles(Path from, Path to) {
        try {
            Files.createDirectories(to);
            List<String> files = new ArrayList<>(io.tuneloop.model.tokenizer.TextTokenizer.FILES);
            files.add(GENERATION_CONFIG);
            for (String file : files) {
                if (Files.exists(from.resolve(file))) {
                    Files.copy(from.resolve(file), to.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the tokenizer from " + from + " to " + to, e);
        }
    }

    /** GPT-2 checkpoints saved from GPT2Model lack the "transformer." prefix of GPT2LMHeadModel. */
    private static String canonical(ModelConfig config, String name) {
        if (config.architecture() == Architecture.GPT2 && !name.startsWith("transformer.") && !name.startsWith("lm_head")) {
            return "transformer." + name;
        }
        return name;
    }
}
