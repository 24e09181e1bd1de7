package io.tuneloop.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.events.payload.ChatMessage;
import io.tuneloop.events.payload.Preference;
import io.tuneloop.ingest.parse.InvalidRecordException;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.RecordIds;
import io.tuneloop.ingest.parse.RecordMapper;
import io.tuneloop.ingest.parse.Rejection;
import io.tuneloop.ingest.parse.SourceFormat;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Preference data in the forms LLaMA-Factory and TRL write it (REFERENCE.md): every form becomes a
 * preference record, its prompt in messages and its answers beside it, so no rejected or undesirable
 * answer can be read as fine-tuning text. The records below copy the shape of LLaMA-Factory's
 * dpo_en_demo.json (single- and multi-turn prompts, a system turn) and kto_en_demo.json.
 */
class PreferenceFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ParsedRecord one(String json) throws Exception {
        List<ParsedRecord> records = RecordMapper.map(JSON.readTree(json), 1);
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    private static List<String> contents(List<ChatMessage> turns) {
        return turns.stream().map(ChatMessage::content).toList();
    }

    private static void refused(String json, String kind, String reason) throws Exception {
        var node = JSON.readTree(json);
        assertThatThrownBy(() -> RecordMapper.map(node, 1)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(Rejection.of(1, (InvalidRecordException) e, json).kind()).as(json).isEqualTo(kind));
    }

    @Test
    void llamaFactoryShareGptPairsKeepTheWholePromptAndBothAnswers() throws Exception {
        ParsedRecord single = one("""
                {"conversations": [{"from": "human", "value": "Hi! I'd like to create a new language game."}],
                 "chosen": {"from": "gpt", "value": "That sounds like a fun idea! Here are some tips."},
                 "rejected": {"from": "gpt", "value": "Hello! What kind of game are you imagining?"}}""");
        assertThat(single.format()).isEqualTo(SourceFormat.SHAREGPT_PREFERENCE);
        assertThat(single.messages()).extracting(ChatMessage::role).containsExactly("user");
        assertThat(contents(single.preference().chosen())).containsExactly("That sounds like a fun idea! Here are some tips.");
        assertThat(contents(single.preference().rejected())).containsExactly("Hello! What kind of game are you imagining?");
        assertThat(single.output()).isNull();

        ParsedRecord multiTurn = one("""
                {"conversations": [{"from": "system", "value": "You are a teacher."},
                  {"from": "human", "value": "Who wrote Pride and Prejudice?"}, {"from": "gpt", "value": "Jane Austen"},
                  {"from": "human", "value": "Elaborate on its societal norms."}],
                 "chosen": {"from": "gpt", "value": "It portrays the landed gentry."},
                 "rejected": {"from": "gpt", "value": "It is a book."}}""");
        assertThat(multiTurn.messages()).extracting(ChatMessage::role).containsExactly("system", "user", "assistant", "user");
        assertThat(multiTurn.preference().pairwise()).isTrue();
        assertThat(contents(multiTurn.preference().chosen())).containsExactly("It portrays the landed gentry.");
    }

    @Test
    void trlPairsAsTextAsMessagesAndWithAnImplicitPrompt() throws Exception {
        ParsedRecord text = one("""
                {"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}""");
        assertThat(text.format()).isEqualTo(SourceFormat.TRL_PREFERENCE);
        assertThat(text.messages()).singleElement().satisfies(m -> {
            assertThat(m.role()).isEqualTo("user");
            assertThat(m.content()).isEqualTo("The sky is");
        });
        assertThat(contents(text.preference().chosen())).containsExactly(" blue.");
        assertThat(text.preference().chosen().get(0).role()).isEqualTo("assistant");

        ParsedRecord conversational = one("""
                {"prompt": [{"role": "user", "content": "What color is the sky?"}],
                 "chosen": [{"role": "assistant", "content": "It is blue."}],
                 "rejected": [{"role": "assistant", "content": "It is green."}]}""");
        assertThat(conversational.format()).isEqualTo(SourceFormat.TRL_PREFERENCE);
        assertThat(contents(conversational.messages())).containsExactly("What color is the sky?");
        assertThat(contents(conversational.preference().rejected())).containsExactly("It is green.");

        ParsedRecord implicit = one("""
                {"chosen": [{"role": "user", "content": "What color is the sky?"}, {"role": "assistant", "content": "It is blue."}],
                 "rejected": [{"role": "user", "content": "What color is the sky?"}, {"role": "assistant", "content": "It is green."}]}""");
        assertThat(implicit.format()).isEqualTo(SourceFormat.TRL_IMPLICIT_PREFERENCE);
        assertThat(contents(implicit.messages())).containsExactly("What color is the sky?");
        assertThat(contents(implicit.preference().chosen())).containsExactly("It is blue.");
        assertThat(contents(implicit.preference().rejected())).containsExactly("It is green.");

        ParsedRecord openAi = one("""
                {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}],
                 "chosen": {"role": "assistant", "content": "4"}, "rejected": {"role": "assistant", "content": "5"}}""");
        assertThat(openAi.format()).isEqualTo(SourceFormat.OPENAI_CHAT_PREFERENCE);
        assertThat(openAi.messages()).extracting(ChatMessage::role).containsExactly("system", "user");
    }

    @Test
    void unaryLabelsKeepTheirCompletionApartFromThePrompt() throws Exception {
        ParsedRecord kto = one("""
                {"messages": [{"content": "Write a haiku about rain.", "role": "user"},
                  {"content": "Rain rain go away.", "role": "assistant"}], "label": false}""");
        assertThat(kto.format()).isEqualTo(SourceFormat.OPENAI_CHAT_UNARY);
        assertThat(contents(kto.messages())).containsExactly("Write a haiku about rain.");
        assertThat(kto.preference().pairwise()).isFalse();
        assertThat(kto.preference().label()).isFalse();
        assertThat(contents(kto.preference().completion())).containsExactly("Rain rain go away.");

        ParsedRecord trl = one("""
                {"prompt": "The capital of France is", "completion": " Paris.", "label": true}""");
        assertThat(trl.format()).isEqualTo(SourceFormat.TRL_UNARY);
        assertThat(trl.preference().label()).isTrue();
        assertThat(contents(trl.preference().completion())).containsExactly(" Paris.");

        // a label that is not a boolean is an ordinary column of an ordinary record
        ParsedRecord column = one("""
                {"prompt": "Classify: great movie", "completion": "positive", "label": "sentiment"}""");
        assertThat(column.format()).isEqualTo(SourceFormat.PROMPT_COMPLETION);
        assertThat(column.preference()).isNull();
        assertThat(column.attributes()).containsEntry("label", "sentiment");
    }

    @Test
    void theRolesOfTheAnswersArePartOfARecordsIdentity() throws Exception {
        String pair = """
                {"prompt": "The sky is", "chosen": " blue.", "rejected": " green."}""";
        String swapped = """
                {"prompt": "The sky is", "chosen": " green.", "rejected": " blue."}""";
        String sft = """
                {"prompt": "The sky is", "completion": " blue."}""";
        assertThat(RecordIds.of(one(pair))).isNotEqualTo(RecordIds.of(one(swapped))).isNotEqualTo(RecordIds.of(one(sft)));
        assertThat(RecordIds.of(one(pair))).isEqualTo(RecordIds.of(one(pair.replace("The sky", "the  SKY"))));
        String desirable = """
                {"prompt": "p", "completion": "c", "label": true}""";
        assertThat(RecordIds.of(one(desirable))).isNotEqualTo(RecordIds.of(one(desirable.replace("true", "false"))));
        assertThat(one(pair).texts()).containsExactly("The sky is", " blue.", " green.");
    }

    @Test
    void brokenPreferenceRecordsAreRefusedByName() throws Exception {
        refused("""
                {"conversations": [{"from": "human", "value": "x"}], "chosen": {"from": "gpt", "value": "a"}}""",
                "missing-field", "rejected");
        refused("""
                {"prompt": "x", "chosen": "same", "rejected": "same"}""", "invalid-preference", "the same answer");
        refused("""
                {"chosen": "a", "rejected": "b"}""", "missing-field", "whole conversations");
        refused("""
                {"conversations": [{"from": "human", "value": "x"}, {"from": "gpt", "value": "y"}],
                 "chosen": {"from": "gpt", "value": "a"}, "rejected": {"from": "gpt", "value": "b"}}""",
                "invalid-turn-order", "cannot follow");
        refused("""
                {"chosen": [{"role": "assistant", "content": "a"}], "rejected": [{"role": "assistant", "content": "b"}]}""",
                "invalid-preference", "no prompt");
        refused("""
                {"messages": [{"role": "assistant", "content": "hello"}], "label": true}""", "invalid-preference",
                "no user turn");
        Preference.pair(List.of(new ChatMessage("assistant", "a", null)), List.of(new ChatMessage("assistant", "b", null)));
    }
}
