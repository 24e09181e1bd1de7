package io.tuneloop.model.train;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One optimizer step as it happened: what a resumed run must reproduce.
 *
 * @param step           0-based optimizer step of the run
 * @param loss           mean loss of the step (SFT: per learned token; DPO: per pair)
 * @param learningRate   rate used
 * @param gradNorm       global gradient norm before clipping
 * @param learnedTokens  tokens whose prediction was learned
 * @param tokens         real (non-padding) tokens processed
 * @param millis         wall time of the step
 * @param rewardMargin   preference steps only: the mean implicit reward margin, beta times
 *                       (log-ratio of the chosen minus log-ratio of the rejected response); null otherwise
 * @param rewardAccuracy preference steps only: the fraction of pairs with a positive margin; null otherwise
 */
public record StepRecord(long step, double loss, double learningRate, double gradNorm, long learnedTokens, long tokens,
                         double millis,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double rewardMargin,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double rewardAccuracy) {
    /** A supervised step (no preference statistics). */
    public StepRecord(long step, double loss, double learningRate, double gradNorm, long learnedTokens, long tokens,
                      double millis) {
        this(step, loss, learningRate, gradNorm, learnedTokens, tokens, millis, null, null);
    }
}
