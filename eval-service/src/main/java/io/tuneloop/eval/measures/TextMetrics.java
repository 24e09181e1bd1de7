package io.tuneloop.eval.measures;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The held-out-task metrics of Super-NaturalInstructions: exact match after normalisation and
 * ROUGE-L (F-measure over the longest common subsequence of words), each the maximum over the
 * references, on a 0-100 scale.
 */
public final class TextMetrics {
    private TextMetrics() {
    }

    /**
     * Lower case, punctuation removed, articles (a, an, the) dropped, whitespace collapsed: the SQuAD /
     * Natural Instructions normalisation, so "The Answer." and "answer" match.
     */
    public static String normalise(String text) {
        String lower = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder noPunctuation = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            boolean punctuation = type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                    || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                    || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                    || type == Character.OTHER_PUNCTUATION || type == Character.MATH_SYMBOL
                    || type == Character.CURRENCY_SYMBOL || type == Character.MODIFIER_SYMBOL;
            noPunctuation.appendCodePoint(punctuation ? ' ' : cp);
        }
        List<String> words = new ArrayList<>();
        for (String word : noPunctuation.toString().trim().split("\\s+")) {
            if (!word.isEmpty() && !word.equals("a") && !word.equals("an") && !word.equals("the")) {
                words.add(word);
            }
        }
        return String.join(" ", words);
    }

    /** 100 when the normalised prediction equals a normalised reference, else 0. */
    public static double exactMatch(String prediction, Collection<String> references) {
        String p = normalise(prediction);
        return references.stream().anyMatch(r -> normalise(r).equals(p)) ? 100 : 0;
    }

    /** ROUGE-L F1 x 100 against the best reference, over normalised words. */
    public static double rougeL(String prediction, Collection<String> references) {
        double best = 0;
        for (String reference : references) {
            best = Math.max(best, rougeL(prediction, reference));
        }
        return best;
    }

    public static double rougeL(String prediction, String reference) {
        String[] p = tokens(prediction);
        String[] r = tokens(reference);
        if (p.length == 0 || r.length == 0) {
            return p.length == r.length ? 100 : 0;
        }
        int lcs = lcs(p, r);
        if (lcs == 0) {
            return 0;
        }
        double precision = (double) lcs / p.length;
        double recall = (double) lcs / r.length;
        return 100 * 2 * precision * recall / (precision + recall);
    }

    private static String[] tokens(String text) {
        String normalised = normalise(text);
        return normalised.isEmpty() ? new String[0] : normalised.split(" ");
    }

    /** Length of the longest common subsequence, in O(|a|·|b|) time and O(|b|) memory. */
    static int lcs(String[] a, String[] b) {
        int[] previous = new int[b.length + 1];
        int[] current = new int[b.length + 1];
        for (String x : a) {
            for (int j = 1; j <= b.length; j++) {
                current[j] = x.equals(b[j - 1]) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length];
    }
}
