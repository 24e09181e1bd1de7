package io.tuneloop.model.train;

/**
 * One preference: the same prompt answered twice, each answer tokenized with its prompt as one whole
 * sequence (as {@link SftExample}) whose learned tokens are the response. The prompt tokens are not
 * learned in either; DPO compares the summed log-probabilities of the two responses.
 *
 * @param chosen   the prompt and the preferred response
 * @param rejected the prompt and the dispreferred response
 */
public record PreferencePair(SftExample chosen, SftExample rejected) {
    public PreferencePair {
        if (chosen.learnedTokens() == 0 || rejected.learnedTokens() == 0) {
            throw new IllegalArgumentException("a preference pair needs a learned response token in both the chosen ("
                    + chosen.learnedTokens() + ") and the rejected (" + rejected.learnedTokens()
                    + ") sequence: check the template's assistant markup and the maximum length");
        }
    }

    /** Both sequences cut to at most {@code maxTokens}. */
    public PreferencePair truncated(int maxTokens) {
        return new PreferencePair(chosen.truncated(maxTokens), rejected.truncated(maxTokens));
    }
}
