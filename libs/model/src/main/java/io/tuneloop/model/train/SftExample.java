package io.tuneloop.model.train;

import io.tuneloop.model.chat.Segment;
import io.tuneloop.model.tokenizer.TextTokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * One tokenized training example: its tokens and which of them are learned (the assistant's
 * response, including the template's end-of-turn / eos token). Each segment is tokenized on its
 * own so the mask boundary is exact.
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
     * Tokenizes rendered segments, keeping at most {@code maxTokens} (the end is cut: a response
     * cut away entirely leaves nothing to learn, which {@link #requireLearnable} reports).
     */
    public static SftExample tokenize(List<Segment> segments, TextTokenizer tokenizer, int maxTokens) {
        long[] tokens = new long[0];
        boolean[] trained = new boolean[0];
        for (Segment segment : segments) {
            long[] ids = tokenizer.encode(segment.text());
            int start = tokens.length;
            tokens = Arrays.copyOf(tokens, start + ids.length);
            trained = Arrays.copyOf(trained, start + ids.length);
            System.arraycopy(ids, 0, tokens, start, ids.length);
            Arrays.fill(trained, start, start + ids.length, segment.trained());
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
