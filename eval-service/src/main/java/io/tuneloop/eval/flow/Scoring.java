package io.tuneloop.eval.flow;

import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.payload.Checkpoint;

import java.util.List;

/** Runs the suites on a model: the checkpoint's, or (with {@code base}) the base it was trained from. */
public interface Scoring {
    /**
     * @param reviewPrompts the review-pool files' prompts, answered by a checkpoint (never by the base)
     *                      besides the version's review split
     */
    SuiteRunner.ModelResults score(Checkpoint checkpoint, boolean base, List<InstructionRecord> examples,
                                   SuiteRunner.PromptSuites suites, SuiteSelection selection,
                                   List<ReviewPool.FilePrompt> reviewPrompts);
}
