package io.tuneloop.trainer.flow;

import java.util.ArrayList;
import java.util.List;

/**
 * A run's steps cut into contiguous shards. The plan depends only on the spec, so every trainer
 * instance (and every resume) agrees on which steps a shard covers.
 */
public final class ShardPlan {
    /** Steps [from, to) of shard {@code index}. */
    public record Range(int index, long fromStep, long toStep) {
    }

    private ShardPlan() {
    }

    public static List<Range> of(long totalSteps, long shardSteps) {
        if (totalSteps < 1 || shardSteps < 1) {
            throw new IllegalArgumentException("steps must be >= 1");
        }
        List<Range> ranges = new ArrayList<>();
        for (long from = 0; from < totalSteps; from += shardSteps) {
            ranges.add(new Range(ranges.size(), from, Math.min(from + shardSteps, totalSteps)));
        }
        return ranges;
    }
}
