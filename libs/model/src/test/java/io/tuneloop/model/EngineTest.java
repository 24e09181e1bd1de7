package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Tests that run models: one CPU manager per test class, closed after it. */
abstract class EngineTest {
    protected static NDManager root;

    @BeforeAll
    static void openEngine() {
        root = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    static void closeEngine() {
        root.close();
    }
}
