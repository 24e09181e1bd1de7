package io.tuneloop.model.train;

/**
 * One optimizer step as it happened: what a resumed run must reproduce.
 *
 * @param step          0-based optimizer step of the run
 * @param loss          mean loss over the step's learned tokens
 * @param learningRate  rate used
 * @param gradNorm      global gradient norm before clipping
 * @param learnedTokens tokens whose prediction was learned
 * @param tokens        real (non-padding) tokens processed
 * @param millis        wall time of the step
 */
public record StepRecord(long step, double loss, double learningRate, double gradNorm, long learnedTokens, long tokens,
                         double millis) {
}
