package io.tuneloop.ingest;

import io.tuneloop.ingest.dedup.DedupIndex;
import io.tuneloop.ingest.dedup.MinHasher;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DedupTest {
    private final MinHasher hasher = new MinHasher(128, 1);

    private static final String BASE = "Write a short poem about the sea at night, with the moon on the waves and a lighthouse"
            + " keeper watching the ships come home through the fog before dawn.";

    @Test
    void similarityEstimatesFollowTheOverlap() {
        int[] a = hasher.signature(BASE);
        int[] nearlySame = hasher.signature(BASE.replace("short", "brief"));
        int[] different = hasher.signature("List three prime numbers larger than one hundred and explain why each is prime.");
        assertThat(MinHasher.similarity(a, a)).isEqualTo(1.0);
        assertThat(MinHasher.similarity(a, nearlySame)).isGreaterThan(0.7);
        assertThat(MinHasher.similarity(a, different)).isLessThan(0.1);
    }

    @Test
    void theIndexFindsNearDuplicatesAboveTheThresholdOnly() {
        DedupIndex index = new DedupIndex(128, 32, 0.8);
        index.add(new DedupIndex.Entry("a", hasher.signature(BASE)));
        assertThat(index.nearDuplicateOf(hasher.signature(BASE + " "))).contains("a");
        assertThat(index.nearDuplicateOf(hasher.signature("Translate 'good morning' into Spanish."))).isEmpty();
        assertThat(index.containsId("a")).isTrue();
    }

    @Test
    void entriesRoundTripIncludingIdOnlyOnes() throws IOException {
        List<DedupIndex.Entry> entries = List.of(new DedupIndex.Entry("a", hasher.signature(BASE)),
                new DedupIndex.Entry("b", new int[0]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DedupIndex.write(entries, out);
        List<DedupIndex.Entry> back = DedupIndex.read(new ByteArrayInputStream(out.toByteArray()));
        assertThat(back).hasSize(2);
        assertThat(back.get(0).signature()).containsExactly(entries.get(0).signature());
        assertThat(back.get(1).signature()).isEmpty();
    }
}
