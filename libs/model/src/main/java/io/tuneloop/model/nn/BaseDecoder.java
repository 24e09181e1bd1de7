package io.tuneloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.tuneloop.model.hf.ModelConfig;

import java.util.Map;

/** What both architectures share: parameters, their manager, and projections that honour LoRA adapters. */
abstract class BaseDecoder implements DecoderModel {
    protected final ModelConfig config;
    protected final Map<String, NDArray> p;
    private final NDManager manager;
    private LoraAdapters adapters;

    BaseDecoder(ModelConfig config, NDManager manager, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.p = parameters;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return p;
    }

    @Override
    public void useAdapters(LoraAdapters adapters) {
        this.adapters = adapters;
    }

    @Override
    public void borrowParameters(NDManager scope) {
        DecoderModel.super.borrowParameters(scope);
        if (adapters != null) {
            adapters.borrow(scope);
        }
    }

    /** nn.Linear layout (W is (out, in)): x Wᵀ + b, plus the LoRA update when the module has one. */
    protected NDArray linear(NDArray x, String module) {
        NDArray y = Ops.linear(x, p.get(module + ".weight"), p.get(module + ".bias"));
        return adapters != null && adapters.adapts(module) ? y.add(adapters.delta(module, x)) : y;
    }

    /** GPT-2 Conv1D layout (W is (in, out)): x W + b, plus the LoRA update when the module has one. */
    protected NDArray conv1d(NDArray x, String module) {
        NDArray y = Ops.conv1d(x, p.get(module + ".weight"), p.get(module + ".bias"));
        return adapters != null && adapters.adapts(module) ? y.add(adapters.delta(module, x)) : y;
    }

    @Override
    public void close() {
        manager.close();
    }
}
