package io.tuneloop.formatter.flow;

import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.model.tokenizer.TextTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Renders a few records of a dataset exactly as a version would hold them, with the learned parts
 * marked: what users check before they spend GPU hours (a wrong template or mask shows here).
 */
public final class Preview {
    private final DatasetStore repository;
    private final Formats formats;

    public Preview(DatasetStore repository, Formats formats) {
        this.repository = repository;
        this.formats = formats;
    }

    /** A piece of the example's text and whether its tokens are learned. */
    public record Segment(String text, boolean learned) {
    }

    /**
     * @param marked   the text with learned parts between {@code [[LEARN]]} and {@code [[/LEARN]]}
     * @param tokens   token count (null when the spec names no model)
     */
    public record Example(String id, String split, String task, String templateId, String text, String marked,
                          List<Segment> segments, Integer tokens, Integer learnedTokens) {
    }

    public List<Example> of(String dataset, DatasetSpec spec, int limit) {
        if (limit < 1 || limit > 100) {
            throw new IllegalArgumentException("limit must be 1-100");
        }
        List<RawRecord> sample = new ArrayList<>();
        for (String batch : repository.rawBatches(dataset)) {
            for (RawRecord r : repository.rawRecords(dataset, batch)) {
                if (sample.size() < limit) {
                    sample.add(r);
                }
            }
            if (sample.size() >= limit) {
                break;
            }
        }
        if (sample.isEmpty()) {
            throw new IllegalArgumentException("dataset " + dataset + " has no complete batches to preview");
        }
        DatasetBuilder builder = formats.builder(spec);
        TextTokenizer tokenizer = spec.model() == null ? null : formats.tokenizer(spec.model());
        return builder.format(sample).examples().stream().limit(limit).map(e -> example(e, tokenizer)).toList();
    }

    private static Example example(InstructionRecord e, TextTokenizer tokenizer) {
        List<Segment> segments = new ArrayList<>();
        if (tokenizer != null && e.tokens() != null) {
            int at = 0;
            for (int[] span : e.lossSpans()) {
                if (span[0] > at) {
                    segments.add(new Segment(decode(tokenizer, e.tokens(), at, span[0]), false));
                }
                segments.add(new Segment(decode(tokenizer, e.tokens(), span[0], span[1]), true));
                at = span[1];
            }
            if (at < e.tokens().length) {
                segments.add(new Segment(decode(tokenizer, e.tokens(), at, e.tokens().length), false));
            }
        } else {
            int cut = e.response() == null ? -1 : e.text().lastIndexOf(e.response());
            if (cut < 0) {
                segments.add(new Segment(e.text(), false));
            } else {
                segments.add(new Segment(e.text().substring(0, cut), false));
                segments.add(new Segment(e.text().substring(cut), true));
            }
        }
        StringBuilder marked = new StringBuilder();
        for (Segment s : segments) {
            marked.append(s.learned() ? "[[LEARN]]" + s.text() + "[[/LEARN]]" : s.text());
        }
        return new Example(e.id(), e.split(), e.task(), e.templateId(), e.text(), marked.toString(), segments,
                e.tokens() == null ? null : e.tokens().length, e.tokens() == null ? null : e.learnedTokens());
    }

    private static String decode(TextTokenizer tokenizer, int[] tokens, int from, int to) {
        return tokenizer.decode(Arrays.stream(tokens, from, to).asLongStream().toArray());
    }
}
