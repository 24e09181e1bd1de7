package io.tuneloop.eval.flow;

import io.tuneloop.eval.measures.Bootstrap;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * report.json of a checkpoint: for every suite and metric the checkpoint's score, the base model's,
 * the difference with a 95% paired-bootstrap interval (significant when it excludes 0), scores per
 * task and category, and the validation loss; for a feedback round, the same comparison against the
 * previous round's final checkpoint. The checkpoint's per-prompt responses come along for review,
 * and the train/eval overlap it was scored under: what its dataset version's contamination check
 * found, read from the version the checkpoint was trained on.
 */
public record EvalReport(String checkpointId, String runId, int round, String dataset, int datasetVersion,
                         String baseModel, Map<String, Map<String, Comparison>> suites,
                         Map<String, Map<String, Double>> perTask, Map<String, Map<String, Double>> perCategory,
                         Double validationLoss, Double baseValidationLoss,
                         long prompts, long generatedTokens, double seconds, List<SuiteRunner.PromptResult> responses,
                         String previousRoundCheckpoint, Map<String, Map<String, Comparison>> againstPreviousRound,
                         Instant evaluatedAt, Overlap trainEvalOverlap) {

    /**
     * The overlap of the checkpoint's training data with the eval prompts, from its dataset version.
     *
     * @param checked           whether the version was checked at all (versions sealed before the check were not)
     * @param policy            the version's contamination policy (drop, refuse, report)
     * @param remaining         contaminated training examples and pairs the checkpoint was trained on
     * @param dropped           contaminated ones left out of its training data
     * @param checkedSuites     the suites the version was checked against (name@digest)
     * @param uncheckedSuites   suites scored in this report that the version was not checked against
     */
    public record Overlap(boolean checked, String policy, Long remaining, Long dropped, List<String> checkedSuites,
                          List<String> uncheckedSuites) {
        public static Overlap of(io.tuneloop.events.dataset.DatasetManifest version, java.util.Collection<String> scored) {
            var c = version.contamination();
            if (c == null) {
                return new Overlap(false, null, null, null, List.of(), List.copyOf(new java.util.TreeSet<>(scored)));
            }
            java.util.Set<String> names = new java.util.TreeSet<>();
            c.suites().forEach(s -> names.add(s.substring(0, s.indexOf('@'))));
            return new Overlap(true, c.policy(), c.remaining(), c.dropped(), c.suites(),
                    scored.stream().filter(s -> !names.contains(s)).sorted().toList());
        }
    }

    /** One metric of one suite: checkpoint vs base. */
    public record Comparison(double checkpoint, double base, double difference, double low, double high,
                             boolean significant, int prompts) {
    }

    /** Compares the checkpoint's per-prompt scores with the base's on the same prompts. */
    public static EvalReport compare(String checkpointId, String runId, int round, String dataset, int version,
                                     String baseModel, SuiteRunner.ModelResults tuned, SuiteRunner.ModelResults base,
                                     Instant at) {
        Map<String, Map<String, double[]>> tasks = new TreeMap<>();       // suite/task -> metric -> [sum, n]
        Map<String, Map<String, double[]>> categories = new TreeMap<>();  // suite/category -> metric -> [sum, n]
        for (SuiteRunner.PromptResult p : tuned.prompts()) {
            for (var score : p.scores().entrySet()) {
                add(tasks, p.suite() + "/" + p.task(), score.getKey(), score.getValue());
                if (p.category() != null) {
                    add(categories, p.suite() + "/" + p.category(), score.getKey(), score.getValue());
                }
            }
        }
        return new EvalReport(checkpointId, runId, round, dataset, version, baseModel,
                pairwise(tuned.prompts(), base.prompts()), means(tasks), means(categories), tuned.validationLoss(),
                base.validationLoss(), tuned.prompts().size(), tuned.generatedTokens(), tuned.seconds(), tuned.prompts(),
                null, Map.of(), at, null);
    }

    /** This report with the comparison against the previous round's final checkpoint. */
    public EvalReport againstPrevious(EvalReport previous) {
        return new EvalReport(checkpointId, runId, round, dataset, datasetVersion, baseModel, suites, perTask, perCategory,
                validationLoss, baseValidationLoss, prompts, generatedTokens, seconds, responses, previous.checkpointId(),
                pairwise(responses, previous.responses()), evaluatedAt, trainEvalOverlap);
    }

    /** This report with the train/eval overlap of its dataset version. */
    public EvalReport withOverlap(Overlap overlap) {
        return new EvalReport(checkpointId, runId, round, dataset, datasetVersion, baseModel, suites, perTask, perCategory,
                validationLoss, baseValidationLoss, prompts, generatedTokens, seconds, responses, previousRoundCheckpoint,
                againstPreviousRound, evaluatedAt, overlap);
    }

    /**
     * Per suite and metric: the mean of {@code a} and of {@code b} over the prompts both answered, and
     * a 95% paired-bootstrap interval of a - b.
     */
    public static Map<String, Map<String, Comparison>> pairwise(List<SuiteRunner.PromptResult> a,
                                                                List<SuiteRunner.PromptResult> b) {
        Map<String, SuiteRunner.PromptResult> byPrompt = new HashMap<>();
        b.forEach(p -> byPrompt.put(p.suite() + "/" + p.promptId(), p));
        Map<String, Map<String, List<double[]>>> pairs = new TreeMap<>();
        for (SuiteRunner.PromptResult p : a) {
            SuiteRunner.PromptResult other = byPrompt.get(p.suite() + "/" + p.promptId());
            if (other == null) {
                continue;
            }
            p.scores().forEach((metric, value) -> {
                Double before = other.scores().get(metric);
                if (before != null) {
                    pairs.computeIfAbsent(p.suite(), s -> new TreeMap<>()).computeIfAbsent(metric, m -> new ArrayList<>())
                            .add(new double[] {value, before});
                }
            });
        }
        Map<String, Map<String, Comparison>> suites = new LinkedHashMap<>();
        pairs.forEach((suite, metrics) -> {
            Map<String, Comparison> comparisons = new LinkedHashMap<>();
            metrics.forEach((metric, values) -> {
                double[] other = values.stream().mapToDouble(v -> v[1]).toArray();
                double[] mine = values.stream().mapToDouble(v -> v[0]).toArray();
                Bootstrap.Interval interval = Bootstrap.pairedDifference(other, mine, 1000, 20261122L);
                comparisons.put(metric, new Comparison(mean(mine), mean(other), interval.meanDifference(), interval.low(),
                        interval.high(), interval.significant(), mine.length));
            });
            suites.put(suite, comparisons);
        });
        return suites;
    }

    private static void add(Map<String, Map<String, double[]>> sums, String group, String metric, double value) {
        double[] t = sums.computeIfAbsent(group, k -> new TreeMap<>()).computeIfAbsent(metric, k -> new double[2]);
        t[0] += value;
        t[1]++;
    }

    /** Headline scores keyed {@code <suite>.<metric>}, for the eval-results event. */
    public Map<String, Double> headline(boolean ofBase) {
        Map<String, Double> scores = new TreeMap<>();
        suites.forEach((suite, metrics) -> metrics.forEach((metric, c) ->
                scores.put(suite + "." + metric, ofBase ? c.base() : c.checkpoint())));
        Double loss = ofBase ? baseValidationLoss : validationLoss;
        if (loss != null) {
            scores.put(SuiteRunner.VALIDATION + ".loss", loss);
        }
        return scores;
    }

    /** The report as a page a person reads. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Evaluation of ").append(checkpointId).append("\n\n");
        md.append("Run `").append(runId).append("`, round ").append(round).append(", trained on ").append(dataset)
                .append(" v").append(datasetVersion).append(", base model `").append(baseModel).append("`. ")
                .append(prompts).append(" prompts, ").append(generatedTokens).append(" generated tokens in ")
                .append(String.format("%.1f", seconds)).append(" s.\n\n");
        if (trainEvalOverlap != null) {
            md.append(trainEvalOverlap.checked()
                    ? String.format("Train/eval overlap: %d training examples or pairs share a 13-gram with an eval prompt"
                            + " (%d dropped, policy %s; checked against %s)%s.%n%n", trainEvalOverlap.remaining(),
                            trainEvalOverlap.dropped(), trainEvalOverlap.policy(), trainEvalOverlap.checkedSuites(),
                            trainEvalOverlap.uncheckedSuites().isEmpty() ? ""
                                    : "; not checked against " + trainEvalOverlap.uncheckedSuites())
                    : "Train/eval overlap: not checked (the dataset version was sealed without a contamination check).\n\n");
        }
        md.append("| suite | metric | checkpoint | base | difference (95% CI) | |\n|---|---|---|---|---|---|\n");
        suites.forEach((suite, metrics) -> metrics.forEach((metric, c) -> md.append(String.format(
                "| %s | %s | %.1f | %.1f | %+.1f (%+.1f, %+.1f) | %s |%n", suite, metric, c.checkpoint(), c.base(),
                c.difference(), c.low(), c.high(), c.significant() ? (c.difference() > 0 ? "better" : "worse")
                        : "within noise"))));
        if (previousRoundCheckpoint != null) {
            md.append("\nAgainst the previous round (").append(previousRoundCheckpoint).append("):\n\n")
                    .append("| suite | metric | this round | previous | difference (95% CI) |\n|---|---|---|---|---|\n");
            againstPreviousRound.forEach((suite, metrics) -> metrics.forEach((metric, c) -> md.append(String.format(
                    "| %s | %s | %.1f | %.1f | %+.1f (%+.1f, %+.1f) |%n", suite, metric, c.checkpoint(), c.base(),
                    c.difference(), c.low(), c.high()))));
            md.append('\n');
        }
        if (validationLoss != null) {
            md.append(String.format("| validation | loss | %.4f | %s | | |%n", validationLoss,
                    baseValidationLoss == null ? "" : String.format("%.4f", baseValidationLoss)));
        }
        md.append("\n## Per category\n\n| suite/category | scores |\n|---|---|\n");
        perCategory.forEach((c, scores) -> md.append("| ").append(c).append(" | ").append(scores).append(" |\n"));
        md.append("\n## Per task\n\n| suite/task | scores |\n|---|---|\n");
        perTask.forEach((task, scores) -> md.append("| ").append(task).append(" | ").append(scores).append(" |\n"));
        md.append("\n## Sample responses\n\n");
        responses.stream().limit(10).forEach(r -> md.append("- **").append(r.suite()).append(" / ").append(r.task())
                .append("**: ").append(r.prompt().replace("\n", " ")).append("\n  - response: ")
                .append(r.response().replace("\n", " ")).append("\n"));
        return md.toString();
    }

    private static Map<String, Map<String, Double>> means(Map<String, Map<String, double[]>> sums) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        sums.forEach((group, metrics) -> {
            Map<String, Double> means = new LinkedHashMap<>();
            metrics.forEach((metric, t) -> means.put(metric, t[0] / t[1]));
            out.put(group, means);
        });
        return out;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? 0 : sum / values.length;
    }
}
