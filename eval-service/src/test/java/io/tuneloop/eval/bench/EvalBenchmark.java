package io.tuneloop.eval.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tuneloop.eval.flow.SuiteRunner;
import io.tuneloop.eval.ifeval.IfEvalPrompt;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.model.TinyModelFactory;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.tokenizer.TextTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation throughput on the tiny model: the held-out suite (64 prompts) and the bundled IFEval
 * set (28 prompts), 32 new tokens each, generated one prompt at a time and in batches of 8 (KV cache
 * on in both). Prompts/s and generated tokens/s. Not a test.
 */
public final class EvalBenchmark {
    private EvalBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("eval-bench");
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            corpus.add("Tell me about item " + i + " and its colour, please.");
        }
        TinyModelFactory.write(dir, TinyModelFactory.Spec.llama(), corpus, 3);
        try (NDManager root = NDManager.newBaseManager(Device.cpu()); TextTokenizer tokenizer = TextTokenizer.load(dir);
             DecoderModel model = Models.load(dir, root, Device.cpu())) {
            List<InstructionRecord> heldOut = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String text = "<|im_start|>user\nTell me about item " + i + ".<|im_end|>\n<|im_start|>assistant\n";
                long[] prompt = tokenizer.encode(text);
                long[] answer = tokenizer.encode("fine<|im_end|>\n");
                int[] tokens = new int[prompt.length + answer.length];
                for (int t = 0; t < tokens.length; t++) {
                    tokens[t] = (int) (t < prompt.length ? prompt[t] : answer[t - prompt.length]);
                }
                heldOut.add(new InstructionRecord("e" + i, "r" + i, "t", null, "t", null, "heldout_tasks", "Tell me about item " + i,
                        "fine", null, text, tokens, List.<int[]>of(new int[] {prompt.length, tokens.length}), "f", i));
            }
            SuiteRunner.PromptSuites suites = new SuiteRunner.PromptSuites(
                    java.util.Map.of(SuiteRunner.IFEVAL, IfEvalPrompt.bundled()), java.util.Map.of());
            for (int round = 0; round < 2; round++) {
                for (int batch : new int[] {1, 8}) {
                    SuiteRunner.ModelResults r = SuiteRunner.run(model, tokenizer, java.util.Set.of((long) tokenizer.eosId().orElseThrow()), heldOut, suites,
                            io.tuneloop.eval.flow.SuiteSelection.all(), new SuiteRunner.Settings(batch, 32, 1000, 0), root);
                    System.out.printf("round %d, batch %d: %d prompts, %d generated tokens in %.2f s: %.1f prompts/s,"
                                    + " %.0f generated tokens/s%n", round, batch, r.prompts().size(), r.generatedTokens(),
                            r.seconds(), r.prompts().size() / r.seconds(), r.generatedTokens() / r.seconds());
                }
            }
        }
    }
}
