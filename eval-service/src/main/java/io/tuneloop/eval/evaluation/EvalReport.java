package io.tuneloop.eval.evaluation;

import io.tuneloop.eval.metrics.Bootstrap;

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
 * task, and the validation loss. The checkpoint's per-prompt responses come along for review.
 */
public record EvalReport(String checkpointId, String runId, int round, String dataset, int datasetVersion,
                         String baseModel, Map<String, Map<String, Comparison>> suites,
                         Map<String, Map<String, Double>> perTask, Map<String, Map<String, Double>> perCategory,
                         Double validationLoss, Double baseValidationLoss,
                         long prompts, long generatedTokens, double seconds, List<SuiteRunner.PromptResult> responses,
                         Instant evaluatedAt) {

    /** One metric of one suite: checkpoint vs base. */
    public record Comparison(double checkpoint, double base, double difference, double low, double high,
                             boolean significant, int prompts) {
    }

    /** Compares the checkpoint's per-prompt scores with the base's on the same prompts. */
    public static EvalReport compare(String checkpointId, String runId, int round, String dataset, int version,
                                     String baseModel, SuiteRunner.ModelResults tuned, SuiteRunner.ModelResults base,
                                     Instant at) {
        Map<String, SuiteRunner.PromptResult> baseByPrompt = new HashMap<>();
        base.prompts().forEach(p -> baseByPrompt.put(p.suite() + "/" + p.promptId(), p));
        Map<String, Map<String, List<double[]>>> pairs = new TreeMap<>(); // suite -> metric -> [tuned, base]
        Map<String, Map<String, double[]>> tasks = new TreeMap<>();       // suite/task -> metric -> [sum, n]
        Map<String, Map<String, double[]>> categories = new TreeMap<>();  // suite/category -> metric -> [sum, n]
        for (SuiteRunner.PromptResult p : tuned.prompts()) {
            SuiteRunner.PromptResult b = baseByPrompt.get(p.suite() + "/" + p.promptId());
            for (var score : p.scores().entrySet()) {
                if (b != null && b.scores().containsKey(score.getKey())) {
                    pairs.computeIfAbsent(p.suite(), s -> new TreeMap<>())
                            .computeIfAbsent(score.getKey(), m -> new ArrayList<>())
                            .add(new double[] {score.getValue(), b.scores().get(score.getKey())});
                }
                double[] t = tasks.computeIfAbsent(p.suite() + "/" + p.task(), k -> new TreeMap<>())
                        .computeIfAbsent(score.getKey(), k -> new double[2]);
                t[0] += score.getValue();
                t[1]++;
                if (p.category() != null) {
                    double[] c = categories.computeIfAbsent(p.suite() + "/" + p.category(), k -> new TreeMap<>())
                            .computeIfAbsent(score.getKey(), k -> new double[2]);
                    c[0] += score.getValue();
                    c[1]++;
                }
            }
        }
        Map<String, Map<String, Comparison>> suites = new LinkedHashMap<>();
        pairs.forEach((suite, metrics) -> {
            Map<String, Comparison> comparisons = new LinkedHashMap<>();
            metrics.forEach((metric, values) -> {
                double[] a = values.stream().mapToDouble(v -> v[1]).toArray();
                double[] c = values.stream().mapToDouble(v -> v[0]).toArray();
                Bootstrap.Interval interval = Bootstrap.pairedDifference(a, c, 1000, 20261122L);
                comparisons.put(metric, new Comparison(mean(c), mean(a), interval.meanDifference(), interval.low(),
                        interval.high(), interval.significant(), a.length));
            });
            suites.put(suite, comparisons);
        });
        return new EvalReport(checkpointId, runId, round, dataset, version, baseModel, suites, means(tasks),
                means(categories),
                tuned.validationLoss(), base.validationLoss(), tuned.prompts().size(), tuned.generatedTokens(),
                tuned.seconds(), tuned.prompts(), at);
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
        md.append("| suite | metric | checkpoint | base | difference (95% CI) | |\n|---|---|---|---|---|---|\n");
        suites.forEach((suite, metrics) -> metrics.forEach((metric, c) -> md.append(String.format(
                "| %s | %s | %.1f | %.1f | %+.1f (%+.1f, %+.1f) | %s |%n", suite, metric, c.checkpoint(), c.base(),
                c.difference(), c.low(), c.high(), c.significant() ? (c.difference() > 0 ? "better" : "worse")
                        : "within noise"))));
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
