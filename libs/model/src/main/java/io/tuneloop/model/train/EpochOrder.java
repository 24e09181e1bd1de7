package io.tuneloop.model.train;

import java.util.Random;

/**
 * The data cursor of a run over {@code size} items: a seeded permutation per epoch, walked in order.
 * It lives entirely in the {@link TrainerState} (seed, epoch, position), so a run resumed from a
 * checkpoint draws the same items in the same order as one that never stopped.
 */
final class EpochOrder {
    private final int size;
    private TrainerState state;
    private int[] order;

    EpochOrder(int size, TrainerState state) {
        if (size == 0) {
            throw new IllegalArgumentException("nothing to train on");
        }
        this.size = size;
        this.state = state;
        this.order = permutation(state.seed(), state.epoch(), size);
    }

    /** The order of epoch {@code epoch}: a Fisher-Yates shuffle seeded by (seed, epoch). */
    static int[] permutation(long seed, int epoch, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed * 1_000_003L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** The index of the next item, starting the next epoch's order when this one is used up. */
    int next() {
        if (state.position() >= size) {
            state = new TrainerState(state.step(), state.epoch() + 1, 0, state.seed());
            order = permutation(state.seed(), state.epoch(), size);
        }
        int index = order[state.position()];
        state = new TrainerState(state.step(), state.epoch(), state.position() + 1, state.seed());
        return index;
    }

    /** Counts an optimizer step done. */
    void stepDone() {
        state = new TrainerState(state.step() + 1, state.epoch(), state.position(), state.seed());
    }

    /**
     * Seeds the engine's generator (LoRA dropout) from (seed, step), so a resumed run draws the same
     * numbers; called before each step's forward passes.
     */
    void seedEngine() {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) (state.seed() * 1_000_003L + state.step()));
    }

    TrainerState state() {
        return state;
    }
}
