package io.tuneloop.feedback.flow;

import io.tuneloop.events.payload.Rating;
import io.tuneloop.events.payload.ReviewItem;
import io.tuneloop.feedback.review.RatedItem;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides what a dataset's next round trains on, from the ratings of the responses of its current
 * round. Only items where raters agree become training data:
 * <ul>
 *   <li>an item qualifies when at least {@code minRaters} raters gave it a Likert score, the scores
 *       are at most {@code maxSpread} apart, and no rater flagged it with an excluded label (unsafe, spam);</li>
 *   <li>a qualifying item whose mean score is at least {@code topRatedMean} becomes an SFT example
 *       as it is (a top-rated response);</li>
 *   <li>otherwise each distinct correction written for it becomes an SFT example (the raters agree
 *       the response is not good enough, and said what would be);</li>
 *   <li>a pair of responses to the same prompt becomes a (prompt, chosen, rejected) record when at
 *       least {@code preferenceMinVotes} raters compared them and {@code preferenceMajority} of the
 *       votes chose the same one;</li>
 *   <li>with {@code correctionPairs}, each such correction is also a pair: the correction chosen over
 *       the response the raters agreed was not good enough (what they wrote instead of what the model
 *       said).</li>
 * </ul>
 * Only items of a review pool ({@code trainableSuites}, by default eval's {@code review} split of
 * prompts held back from training) become training data: an item of an eval suite never does, or
 * the next round would be scored on prompts it was trained on. A round is due once its items have {@code minRatings}
 * accepted ratings and at least one sample qualifies. Every sample names the ratings behind it.
 */
public final class RoundPolicy {

    /**
     * @param minRatings            accepted ratings of a round's items before the next round is due
     * @param minRaters             Likert scores an item needs before it can qualify
     * @param maxSpread             largest difference between two scores of a qualifying item
     * @param topRatedMean          mean score from which a response is kept as it is
     * @param excludedLabels        labels that keep an item out whoever gave them
     * @param trainableSuites       the suites whose items may become training data (review pools); every
     *                              other suite is an eval suite and is never trained on
     * @param preferenceMinVotes    comparisons a pair needs
     * @param preferenceMajority    share of those votes the winner needs
     * @param correctionPairs       also pair each agreed correction (chosen) with the response it corrects (rejected)
     */
    public record Settings(int minRatings, int minRaters, int maxSpread, double topRatedMean, Set<String> excludedLabels,
                           Set<String> trainableSuites, int preferenceMinVotes, double preferenceMajority,
                           boolean correctionPairs) {
        public Settings(int minRatings, int minRaters, int maxSpread, double topRatedMean, Set<String> excludedLabels,
                        Set<String> trainableSuites, int preferenceMinVotes, double preferenceMajority) {
            this(minRatings, minRaters, maxSpread, topRatedMean, excludedLabels, trainableSuites, preferenceMinVotes,
                    preferenceMajority, true);
        }

        public Settings {
            excludedLabels = Set.copyOf(excludedLabels);
            trainableSuites = Set.copyOf(trainableSuites);
            if (minRaters < 2) {
                throw new IllegalArgumentException("agreement needs at least 2 raters per item, was " + minRaters);
            }
            if (preferenceMajority <= 0.5 || preferenceMajority > 1) {
                throw new IllegalArgumentException("preference majority must be in (0.5, 1], was " + preferenceMajority);
            }
        }
    }

    /** An SFT example chosen from ratings: {@code kind} is top_rated or correction. */
    public record Sample(String kind, String itemId, String checkpointId, String task, String prompt, String response,
                         double meanLikert, List<String> ratings) {
    }

    /** A preference pair with the votes behind it. */
    public record PreferencePair(String prompt, String chosen, String rejected, String task, String chosenItemId,
                                 String rejectedItemId, int votesFor, int votesAgainst, int ties, List<String> ratings) {
    }

    /**
     * The next round of {@code dataset}, built on the version the rated checkpoints trained on.
     *
     * @param fromRound       the round whose responses were rated
     * @param round           the round this plan starts ({@code fromRound + 1})
     * @param baseVersion     the dataset version it adds the samples to
     * @param acceptedRatings submitted ratings of the round's items
     * @param skipped         items left out, by reason
     */
    public record Plan(String dataset, int fromRound, int round, int baseVersion, long acceptedRatings,
                       List<Sample> samples, List<PreferencePair> preferences, Map<String, Long> skipped,
                       Settings settings) {
        public boolean isEmpty() {
            return samples.isEmpty() && preferences.isEmpty();
        }
    }

    private final Settings settings;

    public RoundPolicy(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** Whether the ratings so far should start the next round now (not for admin calls: they start it anyway). */
    public boolean due(Plan plan) {
        return plan.acceptedRatings() >= settings.minRatings() && !plan.isEmpty();
    }

    /**
     * @param items every rated item of the dataset (any round: preference partners may come from another round)
     */
    public Plan plan(String dataset, int fromRound, List<RatedItem> items) {
        Map<String, RatedItem> byId = new HashMap<>();
        items.forEach(i -> byId.put(i.item().itemId(), i));
        List<RatedItem> ofRound = items.stream()
                .filter(i -> i.item().dataset().equals(dataset) && i.item().round() == fromRound)
                .sorted(Comparator.comparing(i -> i.item().itemId()))
                .toList();
        int baseVersion = ofRound.stream().map(i -> i.item().datasetVersion()).filter(v -> v != null)
                .max(Integer::compare).orElse(0);
        long accepted = ofRound.stream().mapToLong(RatedItem::submittedCount).sum();
        Map<String, Long> skipped = new TreeMap<>();
        List<Sample> samples = new ArrayList<>();
        for (RatedItem rated : ofRound) {
            if (rated.submittedCount() == 0) {
                continue;
            }
            String reason = sftVerdict(rated, samples);
            if (reason != null) {
                skipped.merge(reason, 1L, Long::sum);
            }
        }
        List<PreferencePair> pairs = new ArrayList<>(preferences(ofRound, byId));
        if (settings.correctionPairs()) {
            for (Sample sample : samples) {
                RatedItem corrected = byId.get(sample.itemId());
                if (sample.kind().equals("correction") && !sample.response().equals(corrected.item().response().strip())) {
                    pairs.add(new PreferencePair(sample.prompt(), sample.response(), corrected.item().response(),
                            sample.task(), sample.itemId() + "#correction", sample.itemId(), sample.ratings().size(), 0, 0,
                            sample.ratings()));
                }
            }
        }
        return new Plan(dataset, fromRound, fromRound + 1, baseVersion, accepted, samples, List.copyOf(pairs), skipped,
                settings);
    }

    /** Adds the item's samples; returns why it gave none, or null. */
    private String sftVerdict(RatedItem rated, List<Sample> samples) {
        ReviewItem item = rated.item();
        if (notTrainable(item)) {
            return "eval_suite";
        }
        List<Rating> submitted = rated.ratings().stream().filter(Rating::submitted).toList();
        for (Rating r : submitted) {
            for (String label : r.labels()) {
                if (settings.excludedLabels().contains(label)) {
                    return "flagged_" + label;
                }
            }
        }
        List<Double> scores = rated.likertScores();
        if (scores.size() < settings.minRaters()) {
            return "too_few_raters";
        }
        double min = scores.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = scores.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        if (max - min > settings.maxSpread()) {
            return "raters_disagree";
        }
        double mean = scores.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        List<String> ratingRefs = submitted.stream().map(RoundPolicy::ref).sorted().toList();
        if (mean >= settings.topRatedMean()) {
            samples.add(new Sample("top_rated", item.itemId(), item.checkpointId(), item.task(), item.prompt(),
                    item.response(), mean, ratingRefs));
            return null;
        }
        Set<String> corrections = new TreeSet<>(); // distinct, in a stable order
        submitted.stream().filter(r -> r.correctedResponse() != null)
                .forEach(r -> corrections.add(r.correctedResponse().strip()));
        if (corrections.isEmpty()) {
            return "not_good_enough_without_correction";
        }
        for (String correction : corrections) {
            samples.add(new Sample("correction", item.itemId(), item.checkpointId(), item.task(), item.prompt(),
                    correction, mean, ratingRefs));
        }
        return null;
    }

    private List<PreferencePair> preferences(List<RatedItem> ofRound, Map<String, RatedItem> byId) {
        // unordered pair "a\nb" (a < b) -> votes for a, for b, ties, and the ratings behind them
        Map<String, int[]> votes = new TreeMap<>();
        Map<String, List<String>> refs = new HashMap<>();
        for (RatedItem rated : ofRound) {
            for (Rating r : rated.ratings()) {
                if (!r.submitted() || r.preference() == null || !byId.containsKey(r.preference().otherItemId())) {
                    continue;
                }
                String self = rated.item().itemId();
                String other = r.preference().otherItemId();
                boolean selfFirst = self.compareTo(other) < 0;
                String pair = selfFirst ? self + "\n" + other : other + "\n" + self;
                int[] v = votes.computeIfAbsent(pair, p -> new int[3]);
                switch (r.preference().choice()) {
                    case "this" -> v[selfFirst ? 0 : 1]++;
                    case "other" -> v[selfFirst ? 1 : 0]++;
                    default -> v[2]++;
                }
                refs.computeIfAbsent(pair, p -> new ArrayList<>()).add(ref(r));
            }
        }
        List<PreferencePair> pairs = new ArrayList<>();
        votes.forEach((pair, v) -> {
            int total = v[0] + v[1] + v[2];
            if (total < settings.preferenceMinVotes()) {
                return;
            }
            String[] ids = pair.split("\n");
            boolean firstWins = v[0] >= v[1];
            int winnerVotes = firstWins ? v[0] : v[1];
            if (winnerVotes < settings.preferenceMajority() * total) {
                return;
            }
            RatedItem chosen = byId.get(firstWins ? ids[0] : ids[1]);
            RatedItem rejected = byId.get(firstWins ? ids[1] : ids[0]);
            if (notTrainable(chosen.item()) || notTrainable(rejected.item()) || flagged(chosen)) {
                return;
            }
            pairs.add(new PreferencePair(chosen.item().prompt(), chosen.item().response(), rejected.item().response(),
                    chosen.item().task(), chosen.item().itemId(), rejected.item().itemId(), winnerVotes,
                    firstWins ? v[1] : v[0], v[2], refs.get(pair).stream().sorted().toList()));
        });
        return pairs;
    }

    private boolean notTrainable(ReviewItem item) {
        return item.suite() == null || !settings.trainableSuites().contains(item.suite());
    }

    private boolean flagged(RatedItem item) {
        return item.ratings().stream().filter(Rating::submitted)
                .anyMatch(r -> r.labels().stream().anyMatch(settings.excludedLabels()::contains));
    }

    /** A rating as lineage names it: id and version. */
    static String ref(Rating rating) {
        return rating.ratingId() + "@" + rating.version();
    }
}
