package io.tuneloop.feedback.flow;

import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.Preference;
import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.Sha256;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files a round request points to, from a {@link RoundPolicy.Plan}:
 * <ul>
 *   <li>{@code sft.jsonl}: one raw record per sample, as a two-turn conversation (the prompt exactly
 *       as the model saw it, and the approved or corrected response), so the formatter trains on it
 *       without re-phrasing; attributes name the item and ratings behind it;</li>
 *   <li>{@code preferences.jsonl}: one preference raw record per agreed pair (the prompt as the model saw it,
 *       the chosen and the rejected response), which the formatter seals into the next version's
 *       preferences split for DPO; attributes name the items, votes and ratings behind it;</li>
 *   <li>{@code lineage.json}: the policy settings, counts, and every sample and pair with its ratings.</li>
 * </ul>
 * Same plan, same bytes: a retried export overwrites identical objects.
 */
public record RoundExport(Artifacts.Round round, List<RawRecord> samples, List<RawRecord> preferences,
                          Map<String, Object> lineage) {

    /** The export of {@code plan}, asked for by {@code requestedBy} (kept in its lineage). */
    public static RoundExport of(RoundPolicy.Plan plan, String requestedBy) {
        String dataset = plan.dataset();
        Artifacts.Round round = new Artifacts.Round(dataset, plan.round());
        String sftKey = Artifacts.ROUND_SAMPLES.key(round);
        String batchId = "feedback-round-" + plan.round();
        List<RawRecord> samples = new ArrayList<>();
        for (int i = 0; i < plan.samples().size(); i++) {
            samples.add(rawRecord(plan.samples().get(i), dataset, batchId, sftKey, i));
        }
        String preferencesKey = Artifacts.ROUND_PREFERENCES.key(round);
        List<RawRecord> preferences = new ArrayList<>();
        for (int i = 0; i < plan.preferences().size(); i++) {
            preferences.add(preferenceRecord(plan.preferences().get(i), dataset, batchId, preferencesKey, i));
        }
        Map<String, Object> lineage = new LinkedHashMap<>();
        lineage.put("dataset", dataset);
        lineage.put("fromRound", plan.fromRound());
        lineage.put("round", plan.round());
        lineage.put("baseVersion", plan.baseVersion());
        lineage.put("acceptedRatings", plan.acceptedRatings());
        lineage.put("requestedBy", requestedBy);
        lineage.put("policy", plan.settings());
        lineage.put("skippedItems", plan.skipped());
        lineage.put("samples", plan.samples());
        lineage.put("preferences", plan.preferences());
        return new RoundExport(round, List.copyOf(samples), List.copyOf(preferences), lineage);
    }

    public String sftKey() {
        return Artifacts.ROUND_SAMPLES.key(round);
    }

    public String preferencesKey() {
        return Artifacts.ROUND_PREFERENCES.key(round);
    }

    public String lineageKey() {
        return Artifacts.ROUND_LINEAGE.key(round);
    }

    static RawRecord rawRecord(RoundPolicy.Sample sample, String dataset, String batchId, String sftKey, int index) {
        String recordId = Sha256.hex((sample.prompt() + "\n\u0000\n" + sample.response()).getBytes(StandardCharsets.UTF_8))
                .substring(0, 32);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("feedback.kind", sample.kind());
        attributes.put("feedback.item", sample.itemId());
        attributes.put("feedback.checkpoint", sample.checkpointId());
        attributes.put("feedback.ratings", String.join(",", sample.ratings()));
        attributes.put("feedback.meanLikert", String.format(java.util.Locale.ROOT, "%.2f", sample.meanLikert()));
        return new RawRecord(recordId, dataset, batchId, index, RawRecord.FEEDBACK_FORMAT, sample.task(), null, null,
                null, null, null,
                List.of(new ChatMessage("user", sample.prompt(), null), new ChatMessage("assistant", sample.response(), null)),
                null, new Provenance(dataset, batchId, sftKey, "sft.jsonl", index + 1L), attributes);
    }

    static RawRecord preferenceRecord(RoundPolicy.PreferencePair pair, String dataset, String batchId, String key,
                                      int index) {
        String recordId = Sha256.hex((pair.prompt() + "\n\u0000chosen\n" + pair.chosen() + "\n\u0000rejected\n"
                + pair.rejected()).getBytes(StandardCharsets.UTF_8)).substring(0, 32);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("feedback.kind", "preference");
        attributes.put("feedback.chosenItem", pair.chosenItemId());
        attributes.put("feedback.rejectedItem", pair.rejectedItemId());
        attributes.put("feedback.votes", pair.votesFor() + "-" + pair.votesAgainst() + "-" + pair.ties());
        attributes.put("feedback.ratings", String.join(",", pair.ratings()));
        return new RawRecord(recordId, dataset, batchId, index, RawRecord.FEEDBACK_FORMAT, pair.task(), null, null,
                null, null, null, List.of(new ChatMessage("user", pair.prompt(), null)), null,
                new Provenance(dataset, batchId, key, "preferences.jsonl", index + 1L), attributes, null,
                Preference.pair(List.of(new ChatMessage("assistant", pair.chosen(), null)),
                        List.of(new ChatMessage("assistant", pair.rejected(), null))));
    }

    public int sampleCount() {
        return samples.size();
    }

    public int preferenceCount() {
        return preferences.size();
    }
}
