package io.tuneloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.hf.Architecture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * LoRA adapters (Hu et al.): for each targeted projection with frozen weight W, a low-rank update
 * ΔW = scale · B A (scale = alpha / r, or alpha / sqrt(r) for rank-stabilised LoRA) with A (r, in) random and B (out, r) zero, so training starts from the base
 * model exactly. The forward pass adds (alpha / r) · (x Aᵀ) Bᵀ to the projection, never
 * materialising ΔW. Names follow PEFT: {@code <module>.lora_A.weight}, {@code <module>.lora_B.weight}.
 */
public final class LoraAdapters implements AutoCloseable {
    /**
     * @param rank    r
     * @param alpha   scaling numerator
     * @param dropout probability of dropping an input of the LoRA path while training (PEFT's lora_dropout)
     * @param targets module names to adapt (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj;
     *                c_attn, c_proj, c_fc for GPT-2)
     * @param rsLora  rank-stabilised LoRA (PEFT's use_rslora): the update is scaled by alpha / sqrt(r)
     */
    public record Config(int rank, double alpha, double dropout, List<String> targets, boolean rsLora) {
        public Config(int rank, double alpha, List<String> targets) {
            this(rank, alpha, 0.0, targets, false);
        }

        public Config(int rank, double alpha, double dropout, List<String> targets) {
            this(rank, alpha, dropout, targets, false);
        }

        public Config {
            if (rank < 1) {
                throw new IllegalArgumentException("LoRA rank must be >= 1");
            }
            if (dropout < 0 || dropout >= 1) {
                throw new IllegalArgumentException("LoRA dropout must be in [0, 1)");
            }
            if (targets == null || targets.isEmpty()) {
                throw new IllegalArgumentException("LoRA needs at least one target module");
            }
            targets = List.copyOf(targets);
        }

        /** PEFT's scaling: alpha / r, or alpha / sqrt(r) with rsLora. */
        public double scale() {
            return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
        }
    }

    private final Config config;
    private final NDManager manager;
    private final boolean transposedBase; // GPT-2 Conv1D keeps W as (in, out)
    private final Map<String, NDArray> a = new LinkedHashMap<>();
    private final Map<String, NDArray> b = new LinkedHashMap<>();
    private boolean training;

    private LoraAdapters(Config config, NDManager manager, boolean transposedBase) {
        this.config = config;
        this.manager = manager;
        this.transposedBase = transposedBase;
    }

    /** Targets used when a run names none: the attention query and value projections (PEFT's defaults). */
    public static List<String> defaultTargets(io.tuneloop.model.hf.ModelConfig config) {
        return config.architecture() == io.tuneloop.model.hf.Architecture.GPT2 ? List.of("c_attn")
                : List.of("q_proj", "v_proj");
    }

    /** New adapters on every module of {@code model} whose name ends with a target; A drawn from {@code seed}. */
    public static LoraAdapters create(DecoderModel model, Config config, long seed, NDManager parent) {
        boolean gpt2 = model.config().architecture() == Architecture.GPT2;
        LoraAdapters adapters = new LoraAdapters(config, parent.newSubManager(), gpt2);
        Random random = new Random(seed);
        List<String> missing = new ArrayList<>(config.targets());
        for (var entry : model.parameters().entrySet()) {
            String name = entry.getKey();
            if (!name.endsWith(".weight")) {
                continue;
            }
            String module = name.substring(0, name.length() - ".weight".length());
            String leaf = module.substring(module.lastIndexOf('.') + 1);
            if (!config.targets().contains(leaf) || entry.getValue().getShape().dimension() != 2) {
                continue;
            }
            missing.remove(leaf);
            Shape w = entry.getValue().getShape();
            long out = gpt2 ? w.get(1) : w.get(0);
            long in = gpt2 ? w.get(0) : w.get(1);
            // A ~ U(-1/sqrt(in), 1/sqrt(in)) as PEFT's default (kaiming uniform, a = sqrt(5)); B = 0
            float[] init = new float[Math.toIntExact(config.rank() * in)];
            double bound = 1.0 / Math.sqrt(in);
            for (int i = 0; i < init.length; i++) {
                init[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            NDArray loraA = adapters.manager.create(init, new Shape(config.rank(), in));
            NDArray loraB = adapters.manager.zeros(new Shape(out, config.rank()));
            loraA.setName(module + ".lora_A.weight");
            loraB.setName(module + ".lora_B.weight");
            adapters.a.put(module, loraA);
            adapters.b.put(module, loraB);
        }
        if (!missing.isEmpty()) {
            adapters.close();
            throw new IllegalArgumentException("LoRA targets " + missing + " match no projection of this "
                    + model.config().modelType() + " model");
        }
        return adapters;
    }

    public Config config() {
        return config;
    }

    /** Adapters with given A and B tensors, by PEFT-style names (as {@link #parameters()} names them). */
    public static LoraAdapters fromTensors(DecoderModel model, Config config, Map<String, float[]> values,
                                           NDManager parent) {
        LoraAdapters adapters = create(model, config, 0, parent);
        for (var entry : adapters.parameters().entrySet()) {
            float[] stored = values.get(entry.getKey());
            if (stored == null) {
                adapters.close();
                throw new IllegalArgumentException("adapter lacks " + entry.getKey());
            }
            NDArray target = entry.getValue();
            NDArray loaded = adapters.manager.create(stored, target.getShape());
            target.set(loaded.toByteBuffer());
            loaded.close();
        }
        return adapters;
    }

    /** The trainable parameters, by PEFT-style name (without the base_model.model. prefix). */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> all = new LinkedHashMap<>();
        a.forEach((module, array) -> all.put(array.getName(), array));
        b.forEach((module, array) -> all.put(array.getName(), array));
        return all;
    }

    public boolean adapts(String module) {
        return a.containsKey(module);
    }

    /**
     * Dropout on the LoRA path applies only while training. Masks come from the engine's generator,
     * which the training loop seeds per step, so a resumed run draws the same masks.
     */
    public void training(boolean on) {
        this.training = on;
    }

    /** (alpha / r) · (dropout(x) Aᵀ) Bᵀ for {@code module}; x: (..., in) → (..., out) */
    NDArray delta(String module, NDArray x) {
        ai.djl.ndarray.types.DataType type = x.getDataType();
        x = Ops.float32(x); // adapters stay float32, whatever the base's compute type
        if (training && config.dropout() > 0) {
            float keep = (float) (1 - config.dropout());
            NDArray kept = x.getManager().randomUniform(0f, 1f, x.getShape()).lt(Ops.scalar(x, keep))
                    .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            x = x.mul(kept).div(Ops.scalar(x, keep));
        }
        NDArray down = x.matMul(a.get(module).transpose());          // (..., r)
        NDArray up = down.matMul(b.get(module).transpose());         // (..., out)
        return up.mul(Ops.scalar(up, (float) config.scale())).toType(type, false);
    }

    /** Folds every adapter into its base weight: W += (alpha / r) · B A (transposed for Conv1D). */
    public void mergeInto(DecoderModel model) {
        for (String module : a.keySet()) {
            NDArray weight = model.parameters().get(module + ".weight");
            try (NDManager scope = manager.newSubManager()) {
                NDArray bA = b.get(module).matMul(a.get(module));       // (out, in)
                bA.attach(scope);
                NDArray update = transposedBase ? bA.transpose() : bA;
                weight.addi(update.mul(Ops.scalar(update, (float) config.scale())));
            }
        }
    }

    /** Lets the adapters be used by a forward pass in {@code scope} (see DecoderModel#borrowParameters). */
    public void borrow(NDManager scope) {
        parameters().values().forEach(p -> p.tempAttach(scope));
    }

    @Override
    public void close() {
        manager.close();
    }
}
