package io.tuneloop.events.payload;

import java.time.Instant;

/**
 * A model response put up for human review.
 *
 * @param itemId       unique id
 * @param checkpointId checkpoint that generated the response
 * @param runId        its run
 * @param round        its feedback round
 * @param dataset      dataset the run trained on
 * @param datasetVersion the dataset version the run trained on (the base of the next round)
 * @param suite        eval suite the prompt came from
 * @param task         task of the prompt
 * @param prompt       the prompt as shown to the model (without chat template markup)
 * @param response     the model's response
 * @param reference    a reference response, when the suite has one
 * @param uncertainty  how unsure the model was (mean token entropy); higher is reviewed first
 * @param createdAt    when
 */
public record ReviewItem(String itemId, String checkpointId, String runId, int round, String dataset,
                         Integer datasetVersion, String suite,
                         String task, String prompt, String response, String reference, Double uncertainty,
                         Instant createdAt) {
    public ReviewItem {
        Require.texts("itemId", itemId, "checkpointId", checkpointId, "runId", runId, "dataset", dataset,
                "prompt", prompt);
        Require.nonNegative(round, "round");
        Require.presents("response", response, "createdAt", createdAt);
    }
}
