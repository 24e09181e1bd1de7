package io.tuneloop.trainer.flow;

/** A run with that id was already started. */
public class RunExistsException extends RuntimeException {
    public RunExistsException(String runId) {
        super("run " + runId + " already exists");
    }
}
