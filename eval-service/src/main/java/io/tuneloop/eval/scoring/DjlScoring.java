package io.tuneloop.eval.scoring;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tuneloop.eval.flow.ReviewPool;
import io.tuneloop.eval.flow.Scoring;
import io.tuneloop.eval.flow.SuiteRunner;
import io.tuneloop.eval.flow.SuiteSelection;
import io.tuneloop.eval.store.EvalArtifacts;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.model.generate.StopTokens;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.tokenizer.TextTokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The suites run on the CPU with DJL, on local copies of the base model and the checkpoint. */
public final class DjlScoring implements Scoring {
    private final EvalArtifacts files;
    private final SuiteRunner.Settings settings;
    private final ReviewPool.Settings review;

    public DjlScoring(EvalArtifacts files, SuiteRunner.Settings settings, ReviewPool.Settings review) {
        this.files = files;
        this.settings = settings;
        this.review = review;
    }

    @Override
    public SuiteRunner.ModelResults score(Checkpoint checkpoint, boolean base, List<InstructionRecord> examples,
                                          SuiteRunner.PromptSuites suites, SuiteSelection selection,
                                          List<ReviewPool.FilePrompt> reviewPrompts) {
        Path baseModel = files.baseModel(checkpoint);
        try (NDManager root = NDManager.newBaseManager(Device.cpu());
             TextTokenizer tokenizer = TextTokenizer.load(baseModel);
             DecoderModel model = base ? Models.load(baseModel, root, Device.cpu())
                     : Models.loadCheckpoint(baseModel, files.checkpointFiles(checkpoint), root, Device.cpu())) {
            Set<Long> stops = StopTokens.of(baseModel, tokenizer);
            SuiteRunner.ModelResults results = SuiteRunner.run(model, tokenizer, stops, examples, suites, selection,
                    settings, root);
            if (base) {
                return results;
            }
            // the checkpoint (not its base) answers the review pool for raters
            List<SuiteRunner.PromptResult> answers = ReviewPool.answer(model, tokenizer, stops,
                    ReviewPool.prompts(examples, reviewPrompts, tokenizer, review.prompts()), review, settings.batchSize(), settings.maxNewTokens(),
                    checkpoint.checkpointId(), root);
            List<SuiteRunner.PromptResult> all = new java.util.ArrayList<>(results.prompts());
            all.addAll(answers);
            return new SuiteRunner.ModelResults(all, results.validationLoss(), results.generatedTokens(), results.seconds());
        }
    }
}
