package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.tokenizer.ByteLevelBpe;
import io.tuneloop.model.tokenizer.TinyTokenizerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * Makes a small model of either family, with a fixed seed, and writes it as a Hugging Face model
 * directory (config.json, generation_config.json, safetensors weights, tokenizer.json,
 * tokenizer_config.json with its chat template): the stand-in for a downloaded checkpoint in tests
 * and in the local demo. It is read back through {@link Models#load}, the path a user's model takes.
 */
public final class TinyModelFactory {
    /**
     * @param architecture  family
     * @param hiddenSize    C
     * @param layers        blocks
     * @param heads         query heads
     * @param kvHeads       key/value heads (Llama family)
     * @param maxPositions  context length
     * @param merges        BPE merges learned from the corpus (vocabulary = 256 bytes + merges + 4 specials)
     * @param dtype         weight dtype on disk
     * @param maxShardBytes shard above this size
     */
    public record Spec(Architecture architecture, int hiddenSize, int layers, int heads, int kvHeads, int maxPositions,
                       int merges, DType dtype, long maxShardBytes) {
        public static Spec llama() {
            return new Spec(Architecture.LLAMA, 64, 2, 4, 2, 256, 200, DType.F32, Long.MAX_VALUE);
        }

        public static Spec gpt2() {
            return new Spec(Architecture.GPT2, 64, 2, 4, 4, 256, 200, DType.F32, Long.MAX_VALUE);
        }

        public Spec withStorage(DType type, long shardBytes) {
            return new Spec(architecture, hiddenSize, layers, heads, kvHeads, maxPositions, merges, type, shardBytes);
        }
    }

    private TinyModelFactory() {
    }

    /** Writes the model and its tokenizer (trained on {@code corpus}) into {@code directory}; returns its config. */
    public static ModelConfig write(Path directory, Spec spec, List<String> corpus, long seed) {
        ByteLevelBpe.Trained tokenizer = TinyTokenizerFactory.write(directory, corpus, spec.merges(), spec.maxPositions());
        int bos = tokenizer.idOf(TinyTokenizerFactory.BOS);
        int eos = tokenizer.idOf(TinyTokenizerFactory.IM_END);
        ModelConfig config = spec.architecture() == Architecture.GPT2
                ? new ModelConfig(Architecture.GPT2, "gpt2", tokenizer.vocabSize(), spec.hiddenSize(), spec.layers(),
                spec.heads(), spec.heads(), 4 * spec.hiddenSize(), spec.maxPositions(), 1e-5, 0, true, true, bos, eos, "float32")
                : new ModelConfig(Architecture.LLAMA, "llama", tokenizer.vocabSize(), spec.hiddenSize(), spec.layers(),
                spec.heads(), spec.kvHeads(), 8 * spec.hiddenSize() / 3, spec.maxPositions(), 1e-6, 10000, true, false,
                bos, eos, "float32");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
             DecoderModel model = Models.fromTensors(config, Models.initialise(config, seed), manager, Device.cpu())) {
            Models.save(model, directory, spec.dtype(), spec.maxShardBytes());
        }
        return config;
    }
}
