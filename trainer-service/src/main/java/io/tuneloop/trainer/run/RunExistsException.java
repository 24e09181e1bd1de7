package io.tuneloop.trainer.run;

/** A run with that id was already started. */
public class RunExistsException extends RuntimeException {
    public RunExistsException(String runId) {
        super("run " + runId + " already exists");
    }
}
