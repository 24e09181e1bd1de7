package io.tuneloop.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tuneloop.eval.flow.HeldOutSuite;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.model.TinyModelFactory;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.train.AdamW;
import io.tuneloop.model.train.LrSchedule;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.model.train.TrainerState;
import io.tuneloop.model.train.TrainingLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A tiny model trained on one phrasing answers a held-out phrasing better than the untrained base. */
class HeldOutSuiteTest {
    private static final String[] COLOURS = ColourExamples.COLOURS;

    @TempDir
    Path dir;

    @Test
    void theTunedModelScoresHigherThanTheBaseOnHeldOutPhrasings() {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            corpus.add("What colour is item " + i + "? Tell me the colour of item " + i + ". " + COLOURS[i % 4]);
        }
        TinyModelFactory.write(dir, TinyModelFactory.Spec.llama(), corpus, 11);
        try (NDManager root = NDManager.newBaseManager(Device.cpu());
             TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            List<InstructionRecord> heldOut = new ArrayList<>();
            List<SftExample> train = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                InstructionRecord seen = ColourExamples.example(tokenizer, i, "train", "What colour is item " + i + "?");
                train.add(SftExample.fromSpans(seen.tokens(), seen.lossSpans(), Integer.MAX_VALUE));
                heldOut.add(ColourExamples.example(tokenizer, i, "heldout_phrasings", "Tell me the colour of item " + i + "."));
            }
            List<HeldOutSuite.Prompt> prompts = HeldOutSuite.prompts(heldOut);
            assertThat(prompts).hasSize(32);

            HeldOutSuite.Summary base;
            try (DecoderModel model = Models.load(dir, root, Device.cpu())) {
                base = HeldOutSuite.summarise(HeldOutSuite.run(model, tokenizer, eos(tokenizer), prompts, 8, 4, root));
            }
            HeldOutSuite.Summary tuned;
            try (DecoderModel model = Models.load(dir, root, Device.cpu()); AdamW adamW = AdamW.defaults(root, 0.0)) {
                TrainingLoop loop = new TrainingLoop(model, model.parameters(), adamW, train,
                        new TrainingLoop.Settings(8, 1, 1.0, LrSchedule.cosine(3e-3, 10, 200, 0.1)), 0, root,
                        TrainerState.start(1));
                for (int step = 0; step < 200; step++) {
                    loop.step();
                }
                tuned = HeldOutSuite.summarise(HeldOutSuite.run(model, tokenizer, eos(tokenizer), prompts, 8, 4, root));
            }
            assertThat(tuned.rougeL()).as("tuned %s vs base %s", tuned, base).isGreaterThan(base.rougeL());
            assertThat(tuned.exactMatch()).isGreaterThanOrEqualTo(25.0); // at least the answer format, a colour word
            assertThat(tuned.perTask()).containsKey("colours");
        }
    }

    private static java.util.Set<Long> eos(io.tuneloop.model.tokenizer.TextTokenizer tokenizer) {
        return java.util.Set.of((long) tokenizer.eosId().orElseThrow());
    }
}
