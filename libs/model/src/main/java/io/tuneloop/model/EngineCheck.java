package io.tuneloop.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Starts the DJL engine and prints what it sees: engine and version, GPU count, and a small matmul
 * on each device. Images run it at build time to unpack the native libraries into the DJL cache
 * (the GPU image fetches its CUDA natives that way), and operators run it to check that a node's
 * GPUs are visible: {@code java -cp "lib/main/*" io.tuneloop.model.EngineCheck}.
 */
public final class EngineCheck {
    private EngineCheck() {
    }

    public static void main(String[] args) {
        Engine engine = Engine.getInstance();
        System.out.printf("engine %s %s, GPUs: %d%n", engine.getEngineName(), engine.getVersion(), engine.getGpuCount());
        for (ai.djl.Device device : engine.getDevices()) {
            try (NDManager manager = NDManager.newBaseManager(device)) {
                NDArray a = manager.ones(new ai.djl.ndarray.types.Shape(64, 64));
                float sum = a.matMul(a).sum().getFloat();
                System.out.printf("%s: 64x64 ones matmul sum %.0f (expected %d)%n", device, sum, 64 * 64 * 64);
            }
        }
    }
}
