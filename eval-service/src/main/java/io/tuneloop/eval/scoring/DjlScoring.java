package io.tuneloop.eval.scoring;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
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

    public DjlScoring(EvalArtifacts files, SuiteRunner.Settings settings) {
        this.files = files;
        this.settings = settings;
    }

    @Override
    public SuiteRunner.ModelResults score(Checkpoint checkpoint, boolean base, List<InstructionRecord> examples,
                                          SuiteRunner.PromptSuites suites, SuiteSelection selection) {
        Path baseModel = files.baseModel(checkpoint);
        try (NDManager root = NDManager.newBaseManager(Device.cpu());
             TextTokenizer tokenizer = TextTokenizer.load(baseModel);
             DecoderModel model = base ? Models.load(baseModel, root, Device.cpu())
                     : Models.loadCheckpoint(baseModel, files.checkpointFiles(checkpoint), root, Device.cpu())) {
            Set<Long> stops = StopTokens.of(baseModel, tokenizer);
            return SuiteRunner.run(model, tokenizer, stops, examples, suites, selection, settings, root);
        }
    }
}
