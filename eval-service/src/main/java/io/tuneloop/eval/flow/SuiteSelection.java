package io.tuneloop.eval.flow;

import java.util.List;
import java.util.Set;

/**
 * Which suites a run's checkpoints are evaluated on, from {@code runs/<runId>/eval.json} when the
 * run has one (else every suite). Extra suites are prompt files in the bucket,
 * {@code eval/suites/<name>.jsonl}, in either format: IFEval lines (with {@code instructions}) or
 * reference lines (with {@code references}).
 *
 * @param suites             suites to run: heldout_tasks, heldout_phrasings (and their _fewshot variants,
 *                           when the version has them), ifeval, general, validation, or a prompt file's name;
 *                           null or empty: every suite, the built-in ones and every prompt file (the
 *                           formatter keeps all of them out of training, so all are scored)
 * @param maxPromptsPerSuite cap per suite (null: the service's setting)
 */
public record SuiteSelection(List<String> suites, Integer maxPromptsPerSuite) {
    public static final Set<String> BUILT_IN = Set.of("heldout_tasks", "heldout_phrasings", "heldout_tasks_fewshot",
            "heldout_phrasings_fewshot", SuiteRunner.IFEVAL, SuiteRunner.GENERAL, SuiteRunner.VALIDATION);

    public SuiteSelection {
        suites = suites == null || suites.isEmpty() ? null : List.copyOf(suites);
        for (String suite : suites == null ? List.<String>of() : suites) {
            if (!suite.matches("[a-z0-9][a-z0-9_.-]{0,62}")) {
                throw new IllegalArgumentException("suite names are a-z, 0-9, '_', '.', '-'; was " + suite);
            }
        }
        if (maxPromptsPerSuite != null && maxPromptsPerSuite < 1) {
            throw new IllegalArgumentException("maxPromptsPerSuite must be >= 1");
        }
    }

    public static SuiteSelection all() {
        return new SuiteSelection(null, null);
    }

    public boolean includes(String suite) {
        return suites == null || suites.contains(suite);
    }
}
