package io.tuneloop.eval.ifeval;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkers for IFEval's 25 instruction types (Zhou et al., 2023), strict and loose. Loose also
 * accepts the response with its first line, last line or both removed, each with and without
 * markdown asterisks (models wrap answers in "Sure, here is..." and bold text).
 */
public final class Checkers {
    public static final Set<String> SUPPORTED = Set.of(
            "keywords:existence", "keywords:frequency", "keywords:forbidden_words", "keywords:letter_frequency",
            "language:response_language",
            "length_constraints:number_sentences", "length_constraints:number_paragraphs",
            "length_constraints:number_words", "length_constraints:nth_paragraph_first_word",
            "detectable_content:number_placeholders", "detectable_content:postscript",
            "detectable_format:number_bullet_lists", "detectable_format:constrained_response",
            "detectable_format:number_highlighted_sections", "detectable_format:multiple_sections",
            "detectable_format:json_format", "detectable_format:title",
            "combination:two_responses", "combination:repeat_prompt",
            "startend:end_checker", "startend:quotation",
            "change_case:capital_word_frequency", "change_case:english_capital", "change_case:english_lowercase",
            "punctuation:no_comma");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WORD = Pattern.compile("\\b[\\p{L}\\p{N}'’-]+\\b");

    private Checkers() {
    }

    /** Strict: the response as it is. */
    public static boolean follows(Instruction instruction, String prompt, String response) {
        if (response == null || response.isBlank()) {
            return false;
        }
        String r = response.strip();
        return switch (instruction.id()) {
            case "keywords:existence" -> instruction.strings("keywords").stream()
                    .allMatch(k -> Pattern.compile("\\b" + Pattern.quote(k) + "\\b", Pattern.CASE_INSENSITIVE).matcher(r).find());
            case "keywords:frequency" -> instruction.compare("relation",
                    count(Pattern.compile("\\b" + Pattern.quote(instruction.string("keyword")) + "\\b",
                            Pattern.CASE_INSENSITIVE), r), instruction.integer("frequency"));
            case "keywords:forbidden_words" -> instruction.strings("forbidden_words").stream()
                    .noneMatch(k -> Pattern.compile("\\b" + Pattern.quote(k) + "\\b", Pattern.CASE_INSENSITIVE).matcher(r).find());
            case "keywords:letter_frequency" -> instruction.compare("let_relation",
                    (int) r.toLowerCase(Locale.ROOT).chars().filter(c -> c == instruction.string("letter").toLowerCase(Locale.ROOT).charAt(0)).count(),
                    instruction.integer("let_frequency"));
            case "language:response_language" -> Languages.detect(r).equals(instruction.string("language"));
            case "length_constraints:number_sentences" -> instruction.compare("relation", sentences(r),
                    instruction.integer("num_sentences"));
            case "length_constraints:number_paragraphs" -> dividerParagraphs(r) == instruction.integer("num_paragraphs");
            case "length_constraints:number_words" -> instruction.compare("relation", words(r), instruction.integer("num_words"));
            case "length_constraints:nth_paragraph_first_word" -> nthParagraphFirstWord(instruction, r);
            case "detectable_content:number_placeholders" -> count(Pattern.compile("\\[[^\\]\\[]+\\]"), r)
                    >= instruction.integer("num_placeholders");
            case "detectable_content:postscript" -> Pattern.compile("(?im)^\\s*" + Pattern.quote(
                    instruction.string("postscript_marker")).replace(" ", "\\E\\s*\\Q") + ".*$").matcher(r).find();
            case "detectable_format:number_bullet_lists" -> count(Pattern.compile("(?m)^\\s*[*-]\\s[^*-]?.*$"), r)
                    - count(Pattern.compile("(?m)^\\s*\\*\\*\\*\\s*$"), r) == instruction.integer("num_bullets");
            case "detectable_format:constrained_response" -> Set.of("My answer is yes.", "My answer is no.",
                    "My answer is maybe.").stream().anyMatch(r::contains);
            case "detectable_format:number_highlighted_sections" -> highlights(r) >= instruction.integer("num_highlights");
            case "detectable_format:multiple_sections" -> sections(r, instruction.string("section_spliter"))
                    >= instruction.integer("num_sections");
            case "detectable_format:json_format" -> isJson(r);
            case "detectable_format:title" -> Pattern.compile("<<[^\\n<>]*[^\\n<>\\s][^\\n<>]*>>").matcher(r).find();
            case "combination:two_responses" -> twoResponses(r);
            case "combination:repeat_prompt" -> r.toLowerCase(Locale.ROOT)
                    .startsWith(instruction.string("prompt_to_repeat").strip().toLowerCase(Locale.ROOT));
            case "startend:end_checker" -> r.toLowerCase(Locale.ROOT)
                    .endsWith(instruction.string("end_phrase").strip().toLowerCase(Locale.ROOT));
            case "startend:quotation" -> r.length() > 1 && r.startsWith("\"") && r.endsWith("\"");
            case "change_case:capital_word_frequency" -> instruction.compare("capital_relation",
                    count(Pattern.compile("\\b\\p{Lu}{2,}\\b"), r) + count(Pattern.compile("(?<![\\p{L}])\\p{Lu}(?![\\p{L}])"), r),
                    instruction.integer("capital_frequency"));
            case "change_case:english_capital" -> r.equals(r.toUpperCase(Locale.ROOT)) && Languages.detect(r).equals("en");
            case "change_case:english_lowercase" -> r.equals(r.toLowerCase(Locale.ROOT)) && Languages.detect(r).equals("en");
            case "punctuation:no_comma" -> r.indexOf(',') < 0;
            default -> throw new IllegalArgumentException("unknown instruction " + instruction.id()
                    + "; supported: " + SUPPORTED.stream().sorted().toList());
        };
    }

    /** Loose: any of the response's variants follows the instruction. */
    public static boolean followsLoose(Instruction instruction, String prompt, String response) {
        return looseVariants(response).stream().anyMatch(v -> follows(instruction, prompt, v));
    }

    static List<String> looseVariants(String response) {
        List<String> lines = List.of(response.split("\n", -1));
        String withoutFirst = lines.size() > 1 ? String.join("\n", lines.subList(1, lines.size())) : response;
        String withoutLast = lines.size() > 1 ? String.join("\n", lines.subList(0, lines.size() - 1)) : response;
        String withoutBoth = lines.size() > 2 ? String.join("\n", lines.subList(1, lines.size() - 1)) : withoutFirst;
        List<String> variants = new ArrayList<>();
        for (String v : List.of(response, withoutFirst, withoutLast, withoutBoth)) {
            variants.add(v);
            variants.add(v.replace("*", ""));
        }
        return variants;
    }

    static int count(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static int words(String text) {
        return count(WORD, text);
    }

    /** Sentences end with . ! or ? followed by space or the end (abbreviations like "e.g." aside). */
    static int sentences(String text) {
        String cleaned = text.replaceAll("\\b(e\\.g|i\\.e|etc|Mr|Mrs|Dr|vs)\\.", "$1");
        int n = 0;
        for (String part : cleaned.split("(?<=[.!?])\\s+")) {
            if (!part.isBlank()) {
                n++;
            }
        }
        return n;
    }

    /** Paragraphs separated by the markdown divider ***, as IFEval's number_paragraphs counts them. */
    static int dividerParagraphs(String text) {
        String[] parts = text.split("\\s?\\*\\*\\*\\s?");
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isBlank()) {
                if (i != 0 && i != parts.length - 1) {
                    return -1; // an empty paragraph in the middle: not well formed
                }
            } else {
                n++;
            }
        }
        return n;
    }

    private static boolean nthParagraphFirstWord(Instruction instruction, String text) {
        List<String> paragraphs = new ArrayList<>();
        for (String p : text.split("\\n\\s*\\n")) {
            if (!p.isBlank()) {
                paragraphs.add(p.strip());
            }
        }
        int nth = instruction.integer("nth_paragraph");
        if (paragraphs.size() != instruction.integer("num_paragraphs") || nth < 1 || nth > paragraphs.size()) {
            return false;
        }
        Matcher first = WORD.matcher(paragraphs.get(nth - 1));
        return first.find() && first.group().replaceAll("[^\\p{L}\\p{N}]", "").equalsIgnoreCase(
                instruction.string("first_word"));
    }

    private static int highlights(String text) {
        // *highlighted* or **highlighted**, with at least one visible character inside
        return count(Pattern.compile("\\*[^\\n*]*[^\\n*\\s][^\\n*]*\\*"),
                text.replaceAll("\\*\\*([^\\n*]*[^\\n*\\s][^\\n*]*)\\*\\*", "*$1*"));
    }

    private static int sections(String text, String splitter) {
        String[] parts = Pattern.compile("\\s?" + Pattern.quote(splitter) + "\\s?\\d+\\s?").split(text);
        return parts.length - 1;
    }

    private static boolean isJson(String text) {
        String stripped = text.strip().replaceAll("^```(?:json|Json|JSON)?\\s*", "").replaceAll("\\s*```$", "").strip();
        try {
            JSON.readTree(stripped);
            return stripped.startsWith("{") || stripped.startsWith("[") || stripped.startsWith("\"");
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean twoResponses(String text) {
        String[] parts = text.split("\\*{6}");
        List<String> responses = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isBlank()) {
                if (i != 0 && i != parts.length - 1) {
                    return false;
                }
            } else {
                responses.add(parts[i].strip());
            }
        }
        return responses.size() == 2 && !responses.get(0).equals(responses.get(1));
    }
}
