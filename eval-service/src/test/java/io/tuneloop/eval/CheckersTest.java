package io.tuneloop.eval;

import io.tuneloop.eval.ifeval.Checkers;
import io.tuneloop.eval.ifeval.Instruction;
import io.tuneloop.eval.ifeval.Languages;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every IFEval instruction type, with a response that follows it and one that does not. */
class CheckersTest {
    private final Set<String> covered = new HashSet<>();

    private void check(String id, Map<String, Object> args, String follows, String breaks) {
        Instruction instruction = new Instruction(id, args);
        assertThat(Checkers.follows(instruction, "prompt", follows)).as(id + " should accept: " + follows).isTrue();
        assertThat(Checkers.follows(instruction, "prompt", breaks)).as(id + " should refuse: " + breaks).isFalse();
        covered.add(id);
    }

    @Test
    void everyInstructionTypeAcceptsAndRefuses() {
        check("keywords:existence", Map.of("keywords", List.of("ocean", "tide")),
                "The ocean rises with the tide.", "The sea rises with the moon.");
        check("keywords:frequency", Map.of("keyword", "river", "frequency", 3, "relation", "at least"),
                "A river, a River, and another river.", "One river and two streams.");
        check("keywords:forbidden_words", Map.of("forbidden_words", List.of("very", "really")),
                "It is quite good.", "It is really good.");
        check("keywords:letter_frequency", Map.of("letter", "z", "let_frequency", 2, "let_relation", "less than"),
                "A quiet day.", "Zebras zigzag.");
        check("language:response_language", Map.of("language", "es"),
                "El perro come la comida en la casa y no quiere salir.", "The dog eats the food in the house.");
        check("length_constraints:number_sentences", Map.of("num_sentences", 3, "relation", "less than"),
                "One. Two.", "One. Two. Three. Four.");
        check("length_constraints:number_paragraphs", Map.of("num_paragraphs", 2),
                "First part.\n***\nSecond part.", "Only one part.");
        check("length_constraints:number_words", Map.of("num_words", 5, "relation", "at least"),
                "This answer has six words exactly.", "Too short.");
        check("length_constraints:nth_paragraph_first_word",
                Map.of("num_paragraphs", 2, "nth_paragraph", 2, "first_word", "however"),
                "Cats sleep a lot.\n\nHowever, dogs do too.", "Cats sleep a lot.\n\nDogs do too.");
        check("detectable_content:number_placeholders", Map.of("num_placeholders", 2),
                "Dear [name], you live at [address].", "Dear [name], welcome.");
        check("detectable_content:postscript", Map.of("postscript_marker", "P.S."),
                "See you soon.\nP.S. Bring snacks.", "See you soon. Bring snacks.");
        check("detectable_format:number_bullet_lists", Map.of("num_bullets", 3),
                "Items:\n* one\n* two\n* three", "Items:\n* one\n* two");
        check("detectable_format:constrained_response", Map.of(),
                "My answer is yes.", "Probably yes.");
        check("detectable_format:number_highlighted_sections", Map.of("num_highlights", 2),
                "This is *important* and *urgent*.", "This is *important* only.");
        check("detectable_format:multiple_sections", Map.of("section_spliter", "SECTION", "num_sections", 2),
                "SECTION 1\nIntro.\nSECTION 2\nBody.", "SECTION 1\nEverything.");
        check("detectable_format:json_format", Map.of(),
                "```json\n{\"a\": 1}\n```", "a: 1");
        check("detectable_format:title", Map.of(),
                "<<The Sea>>\nA poem about waves.", "The Sea\nA poem about waves.");
        check("combination:two_responses", Map.of(),
                "First answer.\n******\nSecond answer.", "Same.\n******\nSame.");
        check("combination:repeat_prompt", Map.of("prompt_to_repeat", "Write a haiku about rain."),
                "Write a haiku about rain. Drops fall softly down.", "Drops fall softly down.");
        check("startend:end_checker", Map.of("end_phrase", "Any other questions?"),
                "That is all. Any other questions?", "Any other questions? That is all.");
        check("startend:quotation", Map.of(), "\"Quoted answer.\"", "Unquoted answer.");
        check("change_case:capital_word_frequency", Map.of("capital_frequency", 2, "capital_relation", "at least"),
                "This is VERY IMPORTANT news.", "This is Very Important news.");
        check("change_case:english_capital", Map.of(), "THIS IS THE ANSWER AND IT IS LOUD.", "This is the answer.");
        check("change_case:english_lowercase", Map.of(), "this is the answer and it is quiet.", "This is the answer.");
        check("punctuation:no_comma", Map.of(), "No commas here.", "Yes, a comma.");
        assertThat(covered).isEqualTo(Checkers.SUPPORTED);
    }

    @Test
    void theBundledPromptSetCoversEveryTypeAndScoresPromptAndInstructionLevel() {
        List<io.tuneloop.eval.ifeval.IfEvalPrompt> prompts = io.tuneloop.eval.ifeval.IfEvalPrompt.bundled();
        Set<String> types = new HashSet<>();
        prompts.forEach(p -> p.instructions().forEach(i -> types.add(i.id())));
        assertThat(types).isEqualTo(Checkers.SUPPORTED);
        var twoInstructions = prompts.stream().filter(p -> p.id().equals("if-026")).findFirst().orElseThrow();
        var half = twoInstructions.score("a bottle that keeps water cold, all day");
        assertThat(half.promptStrict()).isFalse();
        assertThat(half.instructionsStrict()).isEqualTo(1);
        var full = twoInstructions.score("a bottle that keeps water cold all day");
        assertThat(full.promptStrict()).isTrue();
        assertThat(full.instructionsStrict()).isEqualTo(2);
    }

    @Test
    void looseAcceptsAnAnswerWrappedInAPreambleOrMarkdown() {
        Instruction quotation = new Instruction("startend:quotation", Map.of());
        String wrapped = "Sure, here it is:\n\"Quoted answer.\"";
        assertThat(Checkers.follows(quotation, "p", wrapped)).isFalse();
        assertThat(Checkers.followsLoose(quotation, "p", wrapped)).isTrue();
        Instruction title = new Instruction("startend:end_checker", Map.of("end_phrase", "the end."));
        assertThat(Checkers.followsLoose(title, "p", "Story... **the end.**")).isTrue();
        assertThat(Checkers.followsLoose(quotation, "p", "No quotes anywhere")).isFalse();
    }

    @Test
    void unknownTypesAndMissingArgumentsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Checkers.follows(new Instruction("made:up", Map.of()), "p", "r"))
                .hasMessageContaining("unknown instruction made:up");
        assertThatThrownBy(() -> Checkers.follows(new Instruction("keywords:frequency", Map.of("keyword", "x")), "p", "r"))
                .hasMessageContaining("frequency");
        assertThat(Checkers.follows(new Instruction("punctuation:no_comma", Map.of()), "p", "  ")).isFalse();
    }

    @Test
    void languagesAreToldApartByScriptAndFunctionWords() {
        assertThat(Languages.detect("Привет, как дела?")).isEqualTo("ru");
        assertThat(Languages.detect("これは日本語の文です。")).isEqualTo("ja");
        assertThat(Languages.detect("这是一个中文句子。")).isEqualTo("zh");
        assertThat(Languages.detect("Le chat est sur la table et il dort.")).isEqualTo("fr");
        assertThat(Languages.detect("Der Hund ist nicht in dem Haus.")).isEqualTo("de");
        assertThat(Languages.detect("The cat is on the table.")).isEqualTo("en");
    }
}
