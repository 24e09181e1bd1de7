package io.tuneloop.eval;

import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.model.tokenizer.TextTokenizer;

import java.util.List;

/** "What colour is item i?" examples, tokenized and stored the way the formatter stores them. */
final class ColourExamples {
    static final String[] COLOURS = {"red", "blue", "green", "yellow"};

    private ColourExamples() {
    }

    static String chat(String user) {
        return "<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n";
    }

    /** Tokens of prompt + answer (the colour of item i), the loss span on the answer. */
    static InstructionRecord example(TextTokenizer tokenizer, int i, String split, String question) {
        long[] prompt = tokenizer.encode(chat(question));
        long[] answer = tokenizer.encode(COLOURS[i % 4] + "<|im_end|>\n");
        int[] tokens = new int[prompt.length + answer.length];
        for (int t = 0; t < tokens.length; t++) {
            tokens[t] = (int) (t < prompt.length ? prompt[t] : answer[t - prompt.length]);
        }
        return new InstructionRecord("%032x:%s".formatted(i, split), "%032x".formatted(i), "colours", "knowledge", "t",
                "en", split, question, COLOURS[i % 4], null, chat(question) + COLOURS[i % 4] + "<|im_end|>\n", tokens,
                List.<int[]>of(new int[] {prompt.length, tokens.length}), "f", i);
    }
}
