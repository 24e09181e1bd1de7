package io.tuneloop.model.train;

import io.tuneloop.model.chat.Segment;
import io.tuneloop.model.tokenizer.TextTokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * One tokenized training example: its tokens and which of them are learned (the assistant's
 * response, including the template's end-of-turn / eos token). The whole rendered text is
 * tokenized once, as Hugging Face and serving engines tokenize it, and the mask comes from each
 * token's character offsets (HF's {@code return_assistant_tokens_mask}): tokenizing segments
 * separately would give SentencePiece-style tokenizers a {@code ▁} at every segment start, tokens
 * the model never sees at serving time.
 *
 * @param tokens  token ids
 * @param trained trained[i] is true when tokens[i] is a response token whose prediction is learned
 */
public record SftExample(long[] tokens, boolean[] trained) {
    public SftExample {
        if (tokens.length != trained.length) {
            throw new IllegalArgumentException("tokens and mask differ in length");
        }
    }

    /**
     * Tokenizes the joined text of rendered segments once, keeping at most {@code maxTokens} (the end
     * is cut: a response cut away entirely leaves nothing to learn, which {@link #requireLearnable}
     * reports). A trained segment [s, e) marks the tokens from the one holding character s to the one
     * holding character e - 1, as HF does; {@code addSpecialTokens} applies the tokenizer's
     * post-processor (BOS/EOS), which HF's apply_chat_template leaves off and plain-text training applies.
     */
    public static SftExample tokenize(List<Segment> segments, TextTokenizer tokenizer, int maxTokens,
                                      boolean addSpecialTokens) {
        StringBuilder text = new StringBuilder();
        List<int[]> trainedRanges = new java.util.ArrayList<>();
        for (Segment segment : segments) {
            if (segment.trained() && !segment.text().isEmpty()) {
                trainedRanges.add(new int[]{text.length(), text.length() + segment.text().length()});
            }
            text.append(segment.text());
        }
        TextTokenizer.Encoded encoded = tokenizer.encodeWithOffsets(text.toString(), addSpecialTokens);
        long[] tokens = encoded.ids();
        boolean[] trained = new boolean[tokens.length];
        for (int[] range : trainedRanges) {
            int first = -1;
            int last = -1;
            for (int t = 0; t < tokens.length; t++) {
                int start = encoded.start()[t];
                int end = encoded.end()[t];
                if (start < 0 || end <= start) {
                    continue; // added special tokens and empty spans hold no character
                }
                if (first < 0 && end > range[0]) {
                    first = t;
                }
                if (start < range[1]) {
                    last = t;
                }
            }
            if (first >= 0 && last >= first) {
                Arrays.fill(trained, first, last + 1, true);
            }
        }
        if (tokens.length > maxTokens) {
            tokens = Arrays.copyOf(tokens, maxTokens);
            trained = Arrays.copyOf(trained, maxTokens);
        }
        return new SftExample(tokens, trained);
    }

    /**
     * An example stored as token ids and learned [start, end) spans (the dataset shard format), cut to
     * at most {@code maxTokens}.
     */
    public static SftExample fromSpans(int[] tokenIds, List<int[]> spans, int maxTokens) {
        int length = Math.min(tokenIds.length, maxTokens);
        long[] tokens = new long[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = tokenIds[i];
        }
        boolean[] trained = new boolean[length];
        for (int[] span : spans) {
            Arrays.fill(trained, Math.min(span[0], length), Math.min(span[1], length), true);
        }
        return new SftExample(tokens, trained);
    }

    /** The first {@code maxTokens} tokens (the end is cut), or this example when it is short enough. */
    public SftExample truncated(int maxTokens) {
        return tokens.length <= maxTokens ? this
                : new SftExample(Arrays.copyOf(tokens, maxTokens), Arrays.copyOf(trained, maxTokens));
    }

    /** Tokens whose prediction is learned (a token at position 0 has nothing to be predicted from). */
    public int learnedTokens() {
        int n = 0;
        for (int i = 1; i < trained.length; i++) {
            if (trained[i]) {
                n++;
            }
        }
        return n;
    }

    /**
     * Fails loudly when nothing in the example would be learned: the template and tokenization
     * disagree, or truncation cut the response away; a silent zero loss would hide it.
     */
    public SftExample requireLearnable() {
        if (learnedTokens() == 0) {
            throw new IllegalArgumentException("example has no response token to learn (" + tokens.length
                    + " tokens): check the template's assistant markup and the maximum length");
        }
        return this;
    }

    public int length() {
        return tokens.length;
    }
}
