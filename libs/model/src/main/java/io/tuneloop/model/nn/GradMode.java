package io.tuneloop.model.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's autograd switch is per thread, and ON for a thread that never touched it; DJL sets it
 * OFF only on the thread that initialised the engine, and a GradientCollector restores whatever it
 * found when it closes. So on a server's worker thread, code outside a collector would record
 * autograd graphs (memory) and in-place parameter updates would fail ("a leaf Variable that
 * requires grad is being used in an in-place operation"). Training, evaluation and generation
 * call {@link #disable()} on entry.
 */
public final class GradMode {
    private GradMode() {
    }

    public static void disable() {
        JniUtils.setGradMode(false);
    }
}
