package io.tuneloop.ingest;

import io.tuneloop.ingest.parse.ColumnMapping;
import io.tuneloop.ingest.parse.InvalidUploadException;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.Rejection;
import io.tuneloop.ingest.parse.SourceFormat;
import io.tuneloop.ingest.parse.UploadFormat;
import io.tuneloop.ingest.parse.UploadReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UploadReaderTest {
    private final List<ParsedRecord> records = new ArrayList<>();
    private final List<Rejection> rejections = new ArrayList<>();

    private UploadReader.Summary read(byte[] bytes, UploadFormat format, ColumnMapping mapping, long cap) throws IOException {
        return new UploadReader(new UploadReader.Options(format, mapping, 1000, cap))
                .read(new ByteArrayInputStream(bytes), records::add, rejections::add);
    }

    private UploadReader.Summary read(String text) throws IOException {
        return read(text.getBytes(StandardCharsets.UTF_8), null, ColumnMapping.NONE, Long.MAX_VALUE);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void csvWithQuotesEmbeddedNewlinesAndEscapedQuotes() throws IOException {
        UploadReader.Summary summary = read("""
                instruction,input,output,category
                "Summarise, briefly.","Line one
                line two","He said ""hi"".",summarization
                Add.,1 2,3,math
                """);
        assertThat(summary.format()).isEqualTo(UploadFormat.CSV);
        assertThat(rejections).isEmpty();
        assertThat(records).hasSize(2);
        assertThat(records.get(0).instruction()).isEqualTo("Summarise, briefly.");
        assertThat(records.get(0).input()).isEqualTo("Line one\nline two");
        assertThat(records.get(0).output()).isEqualTo("He said \"hi\".");
        assertThat(records.get(0).format()).isEqualTo(SourceFormat.ALPACA);
        assertThat(records.get(1).line()).isEqualTo(4); // the quoted newline made row 1 span lines 2-3
    }

    @Test
    void tsvIsDetectedAndRaggedRowsAreRejectedWithTheirLine() throws IOException {
        UploadReader.Summary summary = read("prompt\tcompletion\nSay hi\thi\nonly one field\nx\ty\tz\n");
        assertThat(summary.format()).isEqualTo(UploadFormat.TSV);
        assertThat(records).hasSize(1);
        assertThat(rejections).extracting(Rejection::line).containsExactly(3L, 4L);
        assertThat(rejections.get(0).reason()).isEqualTo("row has 1 fields, the header has 2");
    }

    @Test
    void aJsonArrayStreamsElementByElement() throws IOException {
        UploadReader.Summary summary = read("""
                [{"instruction": "a", "output": "b"},
                 {"prompt": "c", "completion": "d"},
                 {"nothing": 1}]""");
        assertThat(summary.format()).isEqualTo(UploadFormat.JSON);
        assertThat(records).hasSize(2);
        assertThat(rejections).singleElement().satisfies(r -> {
            assertThat(r.line()).isEqualTo(3);
            assertThat(r.reason()).contains("unknown format");
        });
    }

    @Test
    void aTruncatedJsonArrayReportsWhereItBreaks() throws IOException {
        read("[{\"instruction\": \"a\", \"output\": \"b\"}, {\"instruction\": \"c\", \"outp");
        assertThat(records).hasSize(1);
        assertThat(rejections).singleElement().satisfies(r -> assertThat(r.reason()).startsWith("malformed JSON at line 1"));
    }

    @Test
    void gzipIsDetectedByItsMagicBytes() throws IOException {
        UploadReader.Summary summary = read(gzip("{\"instruction\": \"a\", \"output\": \"b\"}\n".getBytes(StandardCharsets.UTF_8)),
                null, ColumnMapping.NONE, Long.MAX_VALUE);
        assertThat(summary.gzip()).isTrue();
        assertThat(summary.format()).isEqualTo(UploadFormat.JSONL);
        assertThat(records).hasSize(1);
    }

    @Test
    void aGzipBombStopsAtTheDecompressionCap() throws IOException {
        byte[] bomb = gzip(new byte[20_000_000]); // 20 MB of zeros, about 20 kB compressed
        assertThat(bomb.length).isLessThan(100_000);
        assertThatThrownBy(() -> read(bomb, null, ColumnMapping.NONE, 1_000_000))
                .isInstanceOf(InvalidUploadException.class)
                .hasMessageContaining("over 1000000 bytes once decompressed")
                .satisfies(e -> assertThat(((InvalidUploadException) e).tooLarge()).isTrue());
    }

    @Test
    void anEmptyFileIsRefused() {
        assertThatThrownBy(() -> read("  \n\n")).isInstanceOf(InvalidUploadException.class).hasMessageContaining("empty");
    }

    @Test
    void aTenMegabyteLineIsRejectedWithoutHoldingIt() throws IOException {
        StringBuilder line = new StringBuilder("{\"instruction\": \"");
        line.append("x".repeat(10 * 1024 * 1024)).append("\", \"output\": \"y\"}\n{\"instruction\": \"ok\", \"output\": \"fine\"}\n");
        read(line.toString());
        assertThat(records).hasSize(1);
        assertThat(rejections).singleElement().satisfies(r -> {
            assertThat(r.line()).isEqualTo(1);
            assertThat(r.reason()).contains("over the limit of 1000");
            assertThat(r.raw().length()).isLessThanOrEqualTo(2001);
        });
    }

    @Test
    void aWrongFormatOverrideGivesAnActionableReason() throws IOException {
        read("{\"instruction\": \"a\", \"output\": \"b\"}\n{\"instruction\": \"c\", \"output\": \"d\"}\n"
                        .getBytes(StandardCharsets.UTF_8), UploadFormat.JSON,
                ColumnMapping.NONE, Long.MAX_VALUE);
        assertThat(records).isEmpty();
        assertThat(rejections).singleElement().satisfies(r -> assertThat(r.reason()).contains("format jsonl"));
    }

    @Test
    void aColumnMappingReadsDataInNoKnownFormat() throws IOException {
        ColumnMapping mapping = new ColumnMapping(Map.of("instruction", "question", "output", "answer", "task", "topic"));
        read("question,answer,topic\nWhat is 2+2?,4,arithmetic\n".getBytes(StandardCharsets.UTF_8), null, mapping,
                Long.MAX_VALUE);
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.instruction()).isEqualTo("What is 2+2?");
            assertThat(r.output()).isEqualTo("4");
            assertThat(r.task()).isEqualTo("arithmetic");
        });
        assertThatThrownBy(() -> new ColumnMapping(Map.of("answer", "x"))).hasMessageContaining("cannot map 'answer'");
    }

    @Test
    void flanExportsAreRecognised() throws IOException {
        read("{\"inputs\": \"Premise: ... Does it follow?\", \"targets\": \"yes\", \"task_name\": \"anli_r1\"}\n");
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.format()).isEqualTo(SourceFormat.FLAN);
            assertThat(r.task()).isEqualTo("anli_r1");
        });
    }

    @Test
    void aSuperNaturalInstructionsTaskFileBecomesOneRecordPerInstance() throws IOException {
        String task = """
                {
                  "Contributors": ["someone"],
                  "Source": ["quoref"],
                  "Categories": ["Question Answering"],
                  "Definition": ["Answer the question using the passage."],
                  "Input_language": ["English"],
                  "Positive Examples": [{"input": "P: a. Q: ?", "output": "a", "explanation": "..."}],
                  "Instances": [
                    {"id": "task001-1", "input": "Passage: The sky is blue. Question: What colour is the sky?", "output": ["blue", "Blue."]},
                    {"id": "task001-2", "input": "Passage: Grass is green. Question: What colour is grass?", "output": ["green"]}
                  ]
                }
                """;
        UploadReader.Summary summary = new UploadReader(new UploadReader.Options(null, ColumnMapping.NONE, 1000,
                Long.MAX_VALUE, "task001_quoref_question_answering"))
                .read(new ByteArrayInputStream(task.getBytes(StandardCharsets.UTF_8)), records::add, rejections::add);
        assertThat(summary.format()).isEqualTo(UploadFormat.JSON);
        assertThat(rejections).isEmpty();
        assertThat(records).hasSize(2);
        ParsedRecord first = records.get(0);
        assertThat(first.format()).isEqualTo(SourceFormat.SUPER_NATURAL_INSTRUCTIONS);
        assertThat(first.task()).isEqualTo("task001_quoref_question_answering");
        assertThat(first.category()).isEqualTo("Question Answering");
        assertThat(first.language()).isEqualTo("english");
        assertThat(first.instruction()).isEqualTo("Answer the question using the passage.");
        assertThat(first.output()).isEqualTo("blue");
        assertThat(first.attributes()).containsEntry("reference_1", "Blue.").containsEntry("id", "task001-1");
    }

    @Test
    void manyRecordsStreamInConstantMemory() throws IOException {
        int count = 100_000;
        InputStream generated = new InputStream() {
            private final byte[] line = "{\"instruction\": \"Repeat after me.\", \"output\": \"ok\"}\n".getBytes(StandardCharsets.UTF_8);
            private long position;

            @Override
            public int read() {
                if (position >= (long) count * line.length) {
                    return -1;
                }
                return line[(int) (position++ % line.length)];
            }
        };
        long[] seen = new long[1];
        Runtime rt = Runtime.getRuntime();
        rt.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        new UploadReader(new UploadReader.Options(null, ColumnMapping.NONE, 1000, Long.MAX_VALUE))
                .read(generated, r -> seen[0]++, rejections::add);
        rt.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        assertThat(seen[0]).isEqualTo(count);
        assertThat(after - before).isLessThan(32L * 1024 * 1024); // records are not kept
    }
}
