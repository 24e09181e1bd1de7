package io.tuneloop.eval.ifeval;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A small language identifier for {@code language:response_language} (IFEval uses langdetect, a
 * Python library): the writing system decides non-Latin languages, and for Latin-script text the
 * share of each language's most frequent function words decides. Returns ISO 639-1 codes, or "und"
 * when nothing decides.
 */
public final class Languages {
    private static final Map<String, Set<String>> FUNCTION_WORDS = new LinkedHashMap<>();

    static {
        FUNCTION_WORDS.put("en", Set.of("the", "and", "of", "to", "is", "in", "that", "it", "you", "for", "are", "was",
                "with", "this", "be", "on", "as", "have", "not", "they", "we", "a", "an", "or", "can", "will"));
        FUNCTION_WORDS.put("es", Set.of("el", "la", "de", "que", "y", "en", "los", "las", "es", "por", "con", "una",
                "para", "del", "se", "no", "un", "su", "al", "lo", "como", "más", "pero", "muy"));
        FUNCTION_WORDS.put("fr", Set.of("le", "la", "les", "de", "des", "et", "est", "un", "une", "du", "que", "pour",
                "dans", "en", "qui", "pas", "sur", "au", "avec", "ce", "il", "elle", "nous", "vous", "sont"));
        FUNCTION_WORDS.put("de", Set.of("der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "mit",
                "sich", "des", "auf", "für", "im", "dem", "auch", "es", "ich", "sie", "wir", "sind", "von"));
        FUNCTION_WORDS.put("it", Set.of("il", "di", "che", "e", "la", "per", "un", "una", "non", "sono", "con", "del",
                "della", "le", "gli", "è", "come", "anche", "più", "ma", "nel", "alla", "questo"));
        FUNCTION_WORDS.put("pt", Set.of("o", "a", "de", "que", "e", "do", "da", "em", "um", "uma", "para", "com", "não",
                "os", "as", "no", "na", "por", "mais", "dos", "das", "se", "é", "são", "muito"));
        FUNCTION_WORDS.put("nl", Set.of("de", "het", "een", "en", "van", "is", "dat", "niet", "op", "te", "zijn", "met",
                "voor", "ik", "je", "wij", "ze", "er", "maar", "ook", "als", "dit", "naar"));
    }

    private Languages() {
    }

    public static String detect(String text) {
        String script = byScript(text);
        if (script != null) {
            return script;
        }
        String[] words = text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+");
        String best = "und";
        double bestShare = 0;
        for (var language : FUNCTION_WORDS.entrySet()) {
            int hits = 0;
            int total = 0;
            for (String w : words) {
                if (!w.isEmpty()) {
                    total++;
                    if (language.getValue().contains(w)) {
                        hits++;
                    }
                }
            }
            double share = total == 0 ? 0 : (double) hits / total;
            if (share > bestShare) {
                bestShare = share;
                best = language.getKey();
            }
        }
        // short all-caps or list-like English has few function words; Latin text with none is still English-ish
        return bestShare > 0 ? best : text.chars().anyMatch(Character::isLetter) ? "en" : "und";
    }

    /** The language when the writing system decides it (at least 30% of the letters). */
    private static String byScript(String text) {
        Map<Character.UnicodeScript, Integer> counts = new LinkedHashMap<>();
        int letters = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetter(cp)) {
                letters++;
                counts.merge(Character.UnicodeScript.of(cp), 1, Integer::sum);
            }
        }
        if (letters == 0) {
            return null;
        }
        int kana = counts.getOrDefault(Character.UnicodeScript.HIRAGANA, 0) + counts.getOrDefault(Character.UnicodeScript.KATAKANA, 0);
        if (kana * 10 >= letters) {
            return "ja";
        }
        Map<Character.UnicodeScript, String> byScript = Map.of(
                Character.UnicodeScript.CYRILLIC, "ru", Character.UnicodeScript.HAN, "zh",
                Character.UnicodeScript.HANGUL, "ko", Character.UnicodeScript.ARABIC, "ar",
                Character.UnicodeScript.DEVANAGARI, "hi", Character.UnicodeScript.GREEK, "el",
                Character.UnicodeScript.HEBREW, "he", Character.UnicodeScript.THAI, "th",
                Character.UnicodeScript.BENGALI, "bn", Character.UnicodeScript.TAMIL, "ta");
        for (var entry : counts.entrySet()) {
            String language = byScript.get(entry.getKey());
            if (language != null && entry.getValue() * 10 >= letters * 3) {
                return language;
            }
        }
        return null;
    }
}
