package io.tuneloop.eval.flow;

import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.Checkpoint;

import java.util.List;

/** Runs the suites on a model: the checkpoint's, or (with {@code base}) the base it was trained from. */
public interface Scoring {
    SuiteRunner.ModelResults score(Checkpoint checkpoint, boolean base, List<InstructionRecord> examples,
                                   SuiteRunner.PromptSuites suites, SuiteSelection selection);
}
