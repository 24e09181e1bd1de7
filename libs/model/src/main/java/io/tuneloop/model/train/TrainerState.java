package io.tuneloop.model.train;

/**
 * Everything besides weights and optimizer moments that a resumed run needs to continue exactly:
 * the optimizer step (which fixes the learning rate, a pure function of it), and the data cursor.
 * The data order is a seeded permutation per epoch, so (seed, epoch, position) is the RNG state.
 *
 * @param step     optimizer steps done
 * @param epoch    current pass over the examples
 * @param position next example of that pass
 * @param seed     seed of the data order
 */
public record TrainerState(long step, int epoch, int position, long seed) {
    public static TrainerState start(long seed) {
        return new TrainerState(0, 0, 0, seed);
    }
}
