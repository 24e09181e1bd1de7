package io.tuneloop.formatter;

import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.formatter.dataset.Splitter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class DatasetBuilderTest {
    private final DatasetBuilder builder = new DatasetBuilder(new Splitter(0.2), 7);

    private List<RawRecord> records(int n) {
        return IntStream.range(0, n).mapToObj(i -> TestRecords.raw("demo", "b1", i)).toList();
    }

    @Test
    void sameRecordsInAnyOrderGiveIdenticalShards() {
        List<RawRecord> shuffled = new ArrayList<>(records(40));
        Collections.shuffle(shuffled, new Random(7));
        DatasetBuilder.Built a = builder.build(builder.format(records(40)));
        DatasetBuilder.Built b = builder.build(builder.format(shuffled));
        assertThat(b.contentChecksum()).isEqualTo(a.contentChecksum());
        assertThat(b.entries()).isEqualTo(a.entries());
    }

    @Test
    void differentRecordsGiveADifferentChecksum() {
        assertThat(builder.build(builder.format(records(40))).contentChecksum())
                .isNotEqualTo(builder.build(builder.format(records(41))).contentChecksum());
    }

    @Test
    void countsAddUpAndShardsAreCapped() {
        DatasetBuilder.Built built = builder.build(builder.format(records(40)));
        assertThat(built.recordCount()).isEqualTo(40);
        assertThat(built.splitCounts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(40);
        assertThat(built.splitCounts()).containsKeys("train", "validation");
        assertThat(built.taskCounts()).containsOnlyKeys("task-0", "task-1", "task-2");
        assertThat(built.entries()).allSatisfy(e -> assertThat(e.records()).isBetween(1L, 7L));
        assertThat(built.entries().stream().mapToLong(e -> e.records()).sum()).isEqualTo(40);
    }

    @Test
    void duplicatesAreWrittenOnce() {
        List<RawRecord> twice = new ArrayList<>(records(10));
        twice.addAll(records(10));
        assertThat(builder.build(builder.format(twice)).recordCount()).isEqualTo(10);
    }

    @Test
    void shardsReadBackToTheSameRecords() {
        List<InstructionRecord> formatted = builder.format(records(5));
        DatasetBuilder.Built built = builder.build(formatted);
        List<InstructionRecord> back = new ArrayList<>();
        built.shards().forEach(s -> back.addAll(DatasetBuilder.readShard(s.content())));
        assertThat(back).containsExactlyInAnyOrderElementsOf(formatted);
    }

    @Test
    void alpacaPromptWithAndWithoutInput() {
        List<InstructionRecord> formatted = builder.format(records(2));
        assertThat(formatted.get(0).prompt()).doesNotContain("### Input:").endsWith("### Response:\n");
        assertThat(formatted.get(1).prompt()).contains("### Input:\ncontext 1");
        assertThat(formatted.get(1).response()).isEqualTo("word 1");
    }

    @Test
    void splitDependsOnlyOnTheRecordId() {
        Splitter splitter = new Splitter(0.3);
        long validation = IntStream.range(0, 10_000).mapToObj(i -> "id-" + i)
                .filter(id -> splitter.splitOf(id).equals(Splitter.VALIDATION)).count();
        assertThat(validation).isBetween(2_800L, 3_200L);
        assertThat(splitter.splitOf("id-42")).isEqualTo(new Splitter(0.3).splitOf("id-42"));
    }
}
