package io.tuneloop.trainer;

import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.flow.ShardPlan;
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

    private static RunSpec spec(String json) {
        return io.tuneloop.events.EventJson.fromBytes(json.getBytes(), RunSpec.class);
    }

    @Test
    void specValidationNamesTheFieldAndFillsDefaults() {
        RunSpec ok = spec("{\"runId\": \"r1\", \"baseModel\": \"tiny\", \"dataset\": \"demo\", \"datasetVersion\": 1,"
                + " \"totalSteps\": 10, \"shardSteps\": 5}");
        assertThat(ok.validated()).isEqualTo(ok);
        assertThat(ok.mode()).isEqualTo("lora");
        assertThat(ok.lora().rank()).isEqualTo(8);
        assertThat(ok.optimizer().schedule()).isEqualTo("cosine");
        String base = "\"baseModel\": \"tiny\", \"dataset\": \"demo\", \"shardSteps\": 5";
        assertThatThrownBy(() -> spec("{\"runId\": \"R 1\", \"datasetVersion\": 1, \"totalSteps\": 3, " + base + "}").validated())
                .hasMessageStartingWith("runId");
        assertThatThrownBy(() -> spec("{\"runId\": \"r\", \"datasetVersion\": 0, \"totalSteps\": 3, " + base + "}").validated())
                .hasMessageStartingWith("datasetVersion");
        assertThatThrownBy(() -> spec("{\"runId\": \"r\", \"datasetVersion\": 1, " + base + "}").validated())
                .hasMessageContaining("totalSteps or epochs");
        assertThatThrownBy(() -> spec("{\"runId\": \"r\", \"datasetVersion\": 1, \"totalSteps\": 3, \"mode\": \"half\", "
                + base + "}").validated()).hasMessageStartingWith("mode");
        assertThatThrownBy(() -> spec("{\"runId\": \"r\", \"datasetVersion\": 1, \"totalSteps\": 3, \"device\": \"tpu\", "
                + base + "}").validated()).hasMessageStartingWith("device");
    }
}
