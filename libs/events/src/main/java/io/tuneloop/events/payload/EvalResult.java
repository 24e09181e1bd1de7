package io.tuneloop.events.payload;

import java.time.Instant;
import java.util.Map;

/**
 * The verdict of one checkpoint's evaluation; the full report is at {@code reportKey}.
 *
 * @param checkpointId the checkpoint evaluated
 * @param runId        its run
 * @param round        its feedback round
 * @param reportKey    object-store key of report.json
 * @param scores       headline scores, keyed {@code <suite>.<metric>} (e.g. {@code heldout-phrasings.rougeL})
 * @param baseScores   the same metrics for the base model
 * @param evaluatedAt  when
 */
public record EvalResult(String checkpointId, String runId, int round, String reportKey, Map<String, Double> scores,
                         Map<String, Double> baseScores, Instant evaluatedAt) {
    public EvalResult {
        Require.texts("checkpointId", checkpointId, "runId", runId, "reportKey", reportKey);
        Require.nonNegative(round, "round");
        Require.present(evaluatedAt, "evaluatedAt");
        scores = scores == null ? Map.of() : Map.copyOf(scores);
        baseScores = baseScores == null ? Map.of() : Map.copyOf(baseScores);
    }
}
