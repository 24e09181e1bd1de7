package io.tuneloop.formatter.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.formatter.DatasetManifest.ShardEntry;
import io.tuneloop.formatter.InstructionRecord;
import io.tuneloop.formatter.template.AlpacaTemplate;
import io.tuneloop.store.Sha256;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns raw records into the shards of a dataset version. The output depends only on the set of
 * records and the settings, never on arrival order: records are ordered by id before writing, so
 * the same inputs give byte-identical shards and the same content checksum.
 */
public final class DatasetBuilder {
    private static final ObjectMapper JSON = EventJson.mapper();

    private final Splitter splitter;
    private final int recordsPerShard;

    /** The shards of a version, ready to upload, and what the manifest says of them. */
    public record Built(List<Shard> shards, long recordCount, Map<String, Long> splitCounts,
                        Map<String, Long> taskCounts, String contentChecksum) {
        public List<ShardEntry> entries() {
            return shards.stream().map(Shard::entry).toList();
        }
    }

    /** One JSON Lines file of one split. */
    public record Shard(ShardEntry entry, byte[] content) {
    }

    public DatasetBuilder(Splitter splitter, int recordsPerShard) {
        if (recordsPerShard < 1) {
            throw new IllegalArgumentException("records per shard must be >= 1");
        }
        this.splitter = splitter;
        this.recordsPerShard = recordsPerShard;
    }

    /** Renders raw records with the Alpaca phrasing and assigns their split. */
    public List<InstructionRecord> format(Collection<RawRecord> records) {
        List<InstructionRecord> formatted = new ArrayList<>(records.size());
        for (RawRecord raw : records) {
            AlpacaTemplate.Rendered rendered = AlpacaTemplate.render(raw);
            formatted.add(new InstructionRecord(raw.recordId() + ":" + AlpacaTemplate.ID, raw.recordId(), raw.dataset(),
                    raw.task() == null ? "unknown" : raw.task(), AlpacaTemplate.ID, raw.language(),
                    splitter.splitOf(raw.recordId()), rendered.prompt(), rendered.response(), raw.batchId(),
                    raw.provenance().file(), raw.provenance().line()));
        }
        return formatted;
    }

    /** Writes the records (deduplicated by id) into per-split JSON Lines shards. */
    public Built build(Collection<InstructionRecord> records) {
        Map<String, InstructionRecord> unique = new TreeMap<>();
        for (InstructionRecord record : records) {
            unique.putIfAbsent(record.id(), record);
        }
        Map<String, List<InstructionRecord>> bySplit = new TreeMap<>();
        Map<String, Long> taskCounts = new TreeMap<>();
        for (InstructionRecord record : unique.values()) {
            bySplit.computeIfAbsent(record.split(), s -> new ArrayList<>()).add(record);
            taskCounts.merge(record.task(), 1L, Long::sum);
        }
        List<Shard> shards = new ArrayList<>();
        Map<String, Long> splitCounts = new TreeMap<>();
        for (var split : bySplit.entrySet()) {
            List<InstructionRecord> inSplit = split.getValue();
            splitCounts.put(split.getKey(), (long) inSplit.size());
            for (int start = 0, index = 0; start < inSplit.size(); start += recordsPerShard, index++) {
                List<InstructionRecord> part = inSplit.subList(start, Math.min(start + recordsPerShard, inSplit.size()));
                byte[] content = jsonLines(part);
                String name = split.getKey() + "-" + index + ".jsonl";
                shards.add(new Shard(new ShardEntry(name, split.getKey(), part.size(), Sha256.hex(content),
                        content.length), content));
            }
        }
        shards.sort(Comparator.comparing(s -> s.entry().name()));
        return new Built(List.copyOf(shards), unique.size(), splitCounts, taskCounts, contentChecksum(shards));
    }

    /** Reads a shard written by {@link #build}. */
    public static List<InstructionRecord> readShard(byte[] content) {
        List<InstructionRecord> records = new ArrayList<>();
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                try {
                    records.add(JSON.readValue(line, InstructionRecord.class));
                } catch (IOException e) {
                    throw new UncheckedIOException("corrupt shard line: " + line, e);
                }
            }
        }
        return records;
    }

    private static byte[] jsonLines(List<InstructionRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (InstructionRecord record : records) {
                out.write(JSON.writeValueAsBytes(record));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String contentChecksum(List<Shard> shards) {
        StringBuilder summary = new StringBuilder();
        for (Shard shard : shards) {
            summary.append(shard.entry().name()).append(':').append(shard.entry().sha256()).append('\n');
        }
        return Sha256.hex(summary.toString().getBytes(StandardCharsets.UTF_8));
    }
}
