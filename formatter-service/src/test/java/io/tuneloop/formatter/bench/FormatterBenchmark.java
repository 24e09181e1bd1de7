package io.tuneloop.formatter.bench;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.payload.Provenance;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.formatter.dataset.ExampleEncoder;
import io.tuneloop.formatter.template.TemplateLibrary;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.model.tokenizer.TinyTokenizerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Formatting throughput: N Alpaca-style records (~500 bytes) through the whole formatter core
 * (phrasing from the template library, split, mixing, ChatML via the model's Jinja chat template,
 * tokenization with loss spans, shard writing), next to the bare tokenizer encoding the same final
 * texts in the same run. Not a test.
 *
 * <p>Run: see docs/benchmarks.md.
 */
public final class FormatterBenchmark {
    private FormatterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        List<RawRecord> records = records(n);
        Path dir = Files.createTempDirectory("bench-tokenizer");
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            RawRecord r = records.get(i);
            corpus.add(r.instruction() + "\n" + r.input() + "\n" + r.output());
        }
        TinyTokenizerFactory.write(dir, corpus, 2000, 4096);
        DatasetSpec spec = EventJson.fromBytes(("{\"model\": \"bench\", \"phrasingsPerRecord\": 1,"
                + " \"systemPrompt\": \"You are a helpful assistant.\", \"maxTokens\": 4096}").getBytes(StandardCharsets.UTF_8),
                DatasetSpec.class);
        TemplateLibrary library = TemplateLibrary.load(List.of());
        try (TextTokenizer tokenizer = TextTokenizer.load(dir)) {
            for (int round = 1; round <= 3; round++) {
                DatasetBuilder builder = new DatasetBuilder(spec, library, new ExampleEncoder(spec, tokenizer), 10_000);
                long start = System.nanoTime();
                DatasetBuilder.Formatted formatted = builder.format(records);
                DatasetBuilder.Built built = builder.build(formatted);
                double formatSeconds = (System.nanoTime() - start) / 1e9;
                long tokens = formatted.examples().stream().mapToLong(e -> e.tokens().length).sum();

                List<String> texts = formatted.examples().stream().map(InstructionRecord::text).toList();
                start = System.nanoTime();
                long bareTokens = 0;
                for (String text : texts) {
                    bareTokens += tokenizer.encode(text).length;
                }
                double bareSeconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("round %d: %,d records -> %,d examples, %,d tokens (bare tokenizer: %,d)%n", round, n,
                        built.recordCount(), tokens, bareTokens);
                System.out.printf("  bare tokenizer (baseline): %.2f s, %,.0f texts/s, %,.0f tokens/s%n", bareSeconds,
                        texts.size() / bareSeconds, bareTokens / bareSeconds);
                System.out.printf("  formatter (render + chat template + tokenize + shards): %.2f s, %,.0f records/s,"
                        + " %,.0f tokens/s, ratio to bare tokenizer %.2f%n", formatSeconds, n / formatSeconds,
                        tokens / formatSeconds, (tokens / formatSeconds) / (bareTokens / bareSeconds));
            }
        }
    }

    private static List<RawRecord> records(int n) {
        String[] words = new String[3000];
        Random random = new Random(42);
        for (int i = 0; i < words.length; i++) {
            StringBuilder w = new StringBuilder();
            for (int c = 0, length = 2 + random.nextInt(7); c < length; c++) {
                w.append((char) ('a' + random.nextInt(26)));
            }
            words[i] = w.toString();
        }
        List<RawRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Random r = new Random(i);
            StringBuilder passage = new StringBuilder();
            while (passage.length() < 330) {
                passage.append(words[r.nextInt(words.length)]).append(' ');
            }
            records.add(new RawRecord("%032x".formatted(i * 2654435761L), "bench", "b", i, "alpaca", "task-" + (i % 20),
                    i % 20 == 0 ? "summarization" : null, "en", "Summarise passage " + i + " in one sentence.",
                    passage.toString().strip(), "It is about " + words[r.nextInt(words.length)] + ".", null, false,
                    new Provenance("bench", "b", "raw/x", "bench.jsonl", i + 1), Map.of()));
        }
        return records;
    }
}
