package io.tuneloop.formatter.dataset;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.EvalPrompts.EvalPrompt;
import io.tuneloop.store.Sha256;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Train/eval overlap as GPT-3 and lm-evaluation-harness measure it: texts are normalised (NFKC,
 * lowercase, every character that is not a letter or digit a space, whitespace folded) into words,
 * and a training text is contaminated when it shares a 13-gram with an eval prompt. A prompt shorter
 * than 13 words counts when the training text holds all of its words in a row; a prompt of fewer
 * than {@value #MIN_WORDS} words is not checked (it would match ordinary text) and is counted as such.
 */
public final class Decontamination {
    public static final int NGRAM = 13;
    public static final int MIN_WORDS = 5;

    /** The eval prompt a training text overlaps, and the words they share. */
    public record Match(EvalPrompt prompt, String words) {
        public String describe() {
            return "shares \"" + words + "\" with prompt " + prompt.id() + " of eval suite " + prompt.suite();
        }
    }

    private static final long BASE = 0x9E3779B97F4A7C15L;

    /**
     * Window length in words → hash of the window's words → the first prompt holding it: 13 for the
     * n-grams, shorter for whole short prompts. Training texts are scanned with rolling hashes (one
     * multiply-add per word and length), and a hit is confirmed on the words themselves.
     */
    private final TreeMap<Integer, Map<Long, EvalPrompt>> grams = new TreeMap<>();
    /** BASE^length for every window length in {@link #grams}, so a window's hash is one multiply-subtract. */
    private final Map<Integer, Long> powers = new HashMap<>();
    private final List<String> suites;
    private final long prompts;
    private final long tooShort;

    public Decontamination(List<EvalPrompt> evalPrompts) {
        Map<String, StringBuilder> bySuite = new TreeMap<>();
        long skipped = 0;
        for (EvalPrompt prompt : evalPrompts) {
            bySuite.computeIfAbsent(prompt.suite(), s -> new StringBuilder()).append(prompt.id()).append('\u0001')
                    .append(prompt.prompt()).append('\u0002');
            List<String> words = words(prompt.prompt());
            if (words.size() < MIN_WORDS) {
                skipped++;
            } else {
                int length = Math.min(words.size(), NGRAM);
                long[] prefix = prefixHashes(words);
                Map<Long, EvalPrompt> windows = grams.computeIfAbsent(length, l -> new HashMap<>());
                for (int i = 0; i + length <= words.size(); i++) {
                    windows.putIfAbsent(window(prefix, i, length, power(length)), prompt);
                }
            }
        }
        List<String> names = new ArrayList<>();
        bySuite.forEach((suite, text) -> names.add(suite + "@"
                + Sha256.hex(text.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 12)));
        this.suites = List.copyOf(names);
        this.prompts = evalPrompts.size();
        this.tooShort = skipped;
    }

    /** The words of a text, normalised. */
    static List<String> words(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder cleaned = new StringBuilder(folded.length());
        folded.codePoints().forEach(c -> cleaned.appendCodePoint(Character.isLetterOrDigit(c) ? c : ' '));
        List<String> words = new ArrayList<>();
        for (String word : cleaned.toString().split(" +")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }

    /** The first eval prompt {@code text} overlaps, if any. */
    public Optional<Match> match(String text) {
        List<String> words = words(text);
        long[] prefix = prefixHashes(words);
        for (int i = 0; i < words.size(); i++) {
            for (var byLength : grams.entrySet()) {
                int length = byLength.getKey();
                if (i + length > words.size()) {
                    break;
                }
                EvalPrompt hit = byLength.getValue().get(window(prefix, i, length, powers.get(length)));
                if (hit != null) {
                    String shared = String.join(" ", words.subList(i, i + length));
                    if (containsWords(hit, shared)) {
                        return Optional.of(new Match(hit, shared));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Guards against a hash collision: the prompt's own words hold the shared window. */
    private static boolean containsWords(EvalPrompt prompt, String shared) {
        return (" " + String.join(" ", words(prompt.prompt())) + " ").contains(" " + shared + " ");
    }

    /** prefix[i] = hash of words [0, i), as a polynomial in BASE over the words' own hashes. */
    private static long[] prefixHashes(List<String> words) {
        long[] prefix = new long[words.size() + 1];
        for (int i = 0; i < words.size(); i++) {
            prefix[i + 1] = prefix[i] * BASE + mix(words.get(i).hashCode());
        }
        return prefix;
    }

    /** The hash of words [start, start + length): prefix[end] - prefix[start] * BASE^length. */
    private static long window(long[] prefix, int start, int length, long power) {
        return prefix[start + length] - prefix[start] * power;
    }

    private long power(int length) {
        return powers.computeIfAbsent(length, l -> {
            long power = 1;
            for (int k = 0; k < l; k++) {
                power *= BASE;
            }
            return power;
        });
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /** What a check of a version came to, for its manifest. */
    DatasetManifest.Contamination report(String policy, long checked, long contaminated, long dropped,
                                         Map<String, Long> bySuite) {
        return new DatasetManifest.Contamination(NGRAM, MIN_WORDS, policy, suites, prompts, tooShort, checked,
                contaminated, dropped, policy.equals("report") ? contaminated : 0, Map.copyOf(bySuite));
    }
}
