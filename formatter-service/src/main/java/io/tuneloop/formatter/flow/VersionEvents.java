package io.tuneloop.formatter.flow;

import io.tuneloop.events.payload.DatasetVersion;

/** Announces a sealed version; returns once the broker has it (only then are its inputs acknowledged). */
public interface VersionEvents {
    void sealed(DatasetVersion version);
}
