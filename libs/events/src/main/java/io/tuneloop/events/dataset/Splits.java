package io.tuneloop.events.dataset;

/** The split names of a dataset version. */
public final class Splits {
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    /** Whole tasks never trained on (zero-shot generalisation). */
    public static final String HELDOUT_TASKS = "heldout_tasks";
    /** Validation records rendered with phrasings never trained on (robustness to new wording). */
    public static final String HELDOUT_PHRASINGS = "heldout_phrasings";
    /**
     * Records held back from training to be a review pool: eval puts a checkpoint's responses to
     * them up for rating, so feedback never comes from (and never trains on) an eval suite's prompts.
     */
    public static final String REVIEW = "review";
    /** Preference pairs ({@link PreferenceExample} lines), read by preference runs only. */
    public static final String PREFERENCES = "preferences";

    /** The splits a checkpoint is scored on (never trained on). */
    public static boolean isEvaluation(String split) {
        return split.equals(VALIDATION) || split.equals(HELDOUT_TASKS) || split.equals(HELDOUT_PHRASINGS);
    }

    private Splits() {
    }
}
