package io.tuneloop.ingest;

import io.tuneloop.ingest.parse.JsonLinesReader;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.RecordIds;
import io.tuneloop.ingest.parse.Rejection;
import io.tuneloop.ingest.parse.SourceFormat;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLinesReaderTest {
    private final List<ParsedRecord> records = new ArrayList<>();
    private final List<Rejection> rejections = new ArrayList<>();

    private JsonLinesReader.Summary read(String text) throws IOException {
        return new JsonLinesReader(200).read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                records::add, rejections::add);
    }

    @Test
    void recognisesEachFormatByItsFields() throws IOException {
        read("""
                {"instruction": "Add.", "input": "1 2", "output": "3"}
                {"instruction": "Name it.", "context": "A cat.", "response": "Cat", "category": "open_qa"}
                {"id": "t1", "name": "add", "instruction": "Add.", "instances": [{"input": "1 1", "output": "2"}, {"input": "2 2", "output": "4"}], "is_classification": false}
                {"prompt": "Say hi", "completion": "hi"}
                {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello", "weight": 1}]}
                {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]}
                """);
        assertThat(rejections).isEmpty();
        assertThat(records).extracting(ParsedRecord::format).containsExactly(SourceFormat.ALPACA, SourceFormat.DOLLY,
                SourceFormat.SELF_INSTRUCT, SourceFormat.SELF_INSTRUCT, SourceFormat.PROMPT_COMPLETION,
                SourceFormat.OPENAI_CHAT, SourceFormat.SHAREGPT);
        assertThat(records.get(1).task()).isEqualTo("open_qa");
        assertThat(records.get(2).task()).isEqualTo("add");
        assertThat(records.get(2).attributes()).containsEntry("id", "t1");
        assertThat(records.get(3).line()).isEqualTo(3);
    }

    @Test
    void rejectsWithLineFieldAndReason() throws IOException {
        JsonLinesReader.Summary summary = read("""
                {"instruction": "ok", "output": "fine"}
                {"instruction": "no output"
                {"instruction": "", "output": "x"}
                {"foo": 1}
                [1, 2]
                {"messages": [{"role": "user", "content": "only a question"}]}
                {"instruction": "%s", "output": "too long"}
                """.formatted("x".repeat(300)));
        assertThat(summary.lines()).isEqualTo(7);
        assertThat(records).hasSize(1);
        assertThat(rejections).extracting(Rejection::line).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(rejections.get(0).reason()).startsWith("malformed JSON");
        assertThat(rejections.get(1).field()).isEqualTo("instruction");
        assertThat(rejections.get(1).reason()).isEqualTo("instruction is empty");
        assertThat(rejections.get(2).reason()).startsWith("unknown format: fields [foo]");
        assertThat(rejections.get(3).reason()).contains("expected a JSON object");
        assertThat(rejections.get(4).reason()).contains("no assistant turn");
        assertThat(rejections.get(5).reason()).contains("over the limit of 200");
    }

    @Test
    void invalidUtf8IsReportedWithItsLine() throws IOException {
        byte[] bytes = "{\"instruction\": \"a\", \"output\": \"b\"}\n{\"instruction\": \"\u00e9\"}\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        new JsonLinesReader(200).read(new ByteArrayInputStream(bytes), records::add, rejections::add);
        assertThat(rejections).singleElement().satisfies(r -> {
            assertThat(r.line()).isEqualTo(2);
            assertThat(r.reason()).contains("not valid UTF-8");
        });
    }

    @Test
    void idsIgnoreCaseAndSpacingButNotContent() throws IOException {
        read("""
                {"instruction": "Add  the numbers.", "output": "3"}
                {"instruction": "add the numbers. ", "output": "3"}
                {"instruction": "add the numbers.", "output": "4"}
                """);
        assertThat(RecordIds.of(records.get(0))).isEqualTo(RecordIds.of(records.get(1)))
                .isNotEqualTo(RecordIds.of(records.get(2)));
    }
}
