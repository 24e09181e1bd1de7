package io.tuneloop.trainer;

import io.tuneloop.trainer.run.RunSpec;
import io.tuneloop.trainer.run.ShardPlan;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardPlanTest {

    @Test
    void shardsCoverEveryStepOnceInOrder() {
        var plan = ShardPlan.of(10, 4);
        assertThat(plan).containsExactly(new ShardPlan.Range(0, 0, 4), new ShardPlan.Range(1, 4, 8),
                new ShardPlan.Range(2, 8, 10));
        assertThat(ShardPlan.of(3, 10)).containsExactly(new ShardPlan.Range(0, 0, 3));
    }

    @Test
    void specValidationNamesTheField() {
        RunSpec ok = new RunSpec("r1", "tiny", "demo", 1, 10, 5, 0);
        assertThat(ok.validated()).isEqualTo(ok);
        assertThatThrownBy(() -> new RunSpec("R 1", "tiny", "demo", 1, 10, 5, 0).validated()).hasMessageStartingWith("runId");
        assertThatThrownBy(() -> new RunSpec("r1", "tiny", "demo", 0, 10, 5, 0).validated()).hasMessageStartingWith("datasetVersion");
        assertThatThrownBy(() -> new RunSpec("r1", "tiny", "demo", 1, 10, 0, 0).validated()).hasMessageStartingWith("shardSteps");
    }
}
