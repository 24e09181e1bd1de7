package io.tuneloop.trainer.run;

import java.time.Instant;

/**
 * What a trainer instance knows of a run.
 *
 * @param spec       the run spec
 * @param shardCount shards in the plan
 * @param state      PLANNED (first shard sent), QUEUED (a shard was received by a trainer)
 * @param lastShard  index of the last shard seen, -1 if none
 * @param updatedAt  last change
 */
public record RunState(RunSpec spec, int shardCount, String state, int lastShard, Instant updatedAt) {
}
