package io.tuneloop.ingest;

import io.tuneloop.ingest.dedup.DedupIndex;
import io.tuneloop.ingest.dedup.MinHasher;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DedupTest {
    private static final String A = "0123456789abcdef0123456789abcdef";
    private static final String B = "fedcba9876543210fedcba9876543210";
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
        // folding: case, punctuation and full-width forms do not change the words
        assertThat(hasher.signature("ＷＲＩＴＥ a short, POEM!")).containsExactly(hasher.signature("write a short poem"));
        // word order does
        assertThat(MinHasher.similarity(hasher.signature("one two three four"), hasher.signature("four three two one")))
                .isLessThan(0.5);
    }

    @Test
    void theIndexFindsNearDuplicatesAboveTheThresholdOnly() {
        DedupIndex index = new DedupIndex(128, 32, 0.8);
        index.add(A, hasher.signature(BASE));
        assertThat(index.nearDuplicateOf(hasher.signature(BASE + " "))).contains(A);
        assertThat(index.nearDuplicateOf(hasher.signature("Translate 'good morning' into Spanish."))).isEmpty();
        assertThat(index.containsId(A)).isTrue();
        assertThat(index.containsId(B)).isFalse();
        assertThatThrownBy(() -> index.containsId("not-an-id")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addUnlessNearDuplicateAddsNewRecordsAndNamesTheSimilarOne() {
        DedupIndex index = new DedupIndex(128, 32, 0.8);
        assertThat(index.addUnlessNearDuplicate(A, hasher.signature(BASE))).isEmpty();
        assertThat(index.addUnlessNearDuplicate(B, hasher.signature(BASE + " "))).contains(A);
        assertThat(index.containsId(B)).isFalse(); // a near duplicate is not added
        assertThat(index.size()).isEqualTo(1);
        assertThatThrownBy(() -> index.addUnlessNearDuplicate(B, new int[3])).hasMessageContaining("3 values");
    }

    @Test
    void manyRecordsStayFindableAcrossTableGrowth() {
        DedupIndex index = new DedupIndex(128, 16, 0.9);
        Random random = new Random(7);
        String[] ids = new String[20_000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = String.format("%016x%016x", random.nextLong(), random.nextLong());
            index.add(ids[i], i % 2 == 0 ? hasher.signature("record number " + i + " about " + (i * 31) + " things")
                    : new int[0]);
        }
        assertThat(index.size()).isEqualTo(ids.length);
        for (String id : ids) {
            assertThat(index.containsId(id)).isTrue();
        }
        assertThat(index.nearDuplicateOf(hasher.signature("record number 4242 about " + (4242 * 31) + " things")))
                .contains(ids[4242]);
        index.add(ids[0], new int[0]); // an id already known adds nothing
        assertThat(index.size()).isEqualTo(ids.length);
    }

    @Test
    void recordsRoundTripIncludingIdOnlyOnesAndUploadRanges() throws IOException {
        DedupIndex staged = new DedupIndex(128, 16, 0.8);
        staged.add(A, hasher.signature(BASE));
        staged.add(B, new int[0]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        staged.writeTo(out);

        DedupIndex back = new DedupIndex(128, 16, 0.8);
        back.readFrom(new ByteArrayInputStream(out.toByteArray()));
        assertThat(back.size()).isEqualTo(2);
        assertThat(back.containsId(B)).isTrue();
        assertThat(back.nearDuplicateOf(hasher.signature(BASE))).contains(A);

        // one upload's records: those added after the index had one
        ByteArrayOutputStream upload = new ByteArrayOutputStream();
        staged.writeTo(upload, 1);
        DedupIndex onlyUpload = new DedupIndex(128, 16, 0.8);
        onlyUpload.readFrom(new ByteArrayInputStream(upload.toByteArray()));
        assertThat(onlyUpload.size()).isEqualTo(1);
        assertThat(onlyUpload.containsId(B)).isTrue();
        assertThat(onlyUpload.containsId(A)).isFalse();

        DedupIndex otherShape = new DedupIndex(64, 16, 0.8);
        assertThatThrownBy(() -> otherShape.readFrom(new ByteArrayInputStream(out.toByteArray())))
                .hasMessageContaining("128 permutations");
    }
}
