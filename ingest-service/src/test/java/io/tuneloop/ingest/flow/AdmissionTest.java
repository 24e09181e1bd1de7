package io.tuneloop.ingest.flow;

import io.tuneloop.ingest.dedup.DedupIndex;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.SourceFormat;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionTest {
    private static final String POEM = "Write a short poem about the sea at night, with the moon on the waves and a"
            + " lighthouse keeper watching the ships come home through the fog before dawn.";
    private final Admission admission = new Admission(new Admission.Policy(3, 400, Optional.of(Set.of("en")), 0.9, 128, 16));

    private static ParsedRecord record(long line, String instruction, String output, String language) {
        return new ParsedRecord(SourceFormat.ALPACA, line, null, null, language, instruction, null, output, null, null,
                Map.of());
    }

    @Test
    void eachOutcomeIsDecidedAgainstWhatTheIndexHoldsAndCounted() {
        DedupIndex index = admission.newIndex();
        Admission.Tally tally = new Admission.Tally();
        var first = admission.admit(index, admission.candidate(record(1, POEM, "Waves.", null)));
        var exact = admission.admit(index, admission.candidate(record(2, POEM.toUpperCase(), "waves.", null)));
        var near = admission.admit(index, admission.candidate(record(3, POEM.replace(",", ";") + "!", "Waves.", null)));
        var french = admission.admit(index, admission.candidate(record(4, "Name a prime.", "7", "fr")));
        var tiny = admission.admit(index, admission.candidate(record(5, "a", "", null)));
        var huge = admission.admit(index, admission.candidate(record(6, "x".repeat(401), "y", null)));
        var other = admission.admit(index, admission.candidate(record(7, "Name a colour.", "blue", "en")));
        for (var verdict : new Admission.Verdict[] {first, exact, near, french, tiny, huge, other}) {
            tally.count(verdict);
        }

        assertThat(first.outcome()).isEqualTo(Admission.Outcome.ACCEPTED);
        assertThat(exact.outcome()).isEqualTo(Admission.Outcome.DUPLICATE);
        assertThat(exact.rejection()).isNull();
        assertThat(near.outcome()).isEqualTo(Admission.Outcome.DUPLICATE);
        assertThat(near.rejection().reason()).startsWith("near-duplicate of record ");
        assertThat(near.rejection().line()).isEqualTo(3);
        assertThat(french.rejection().reason()).isEqualTo("language fr is not among the allowed [en]");
        assertThat(tiny.rejection().kind()).isEqualTo("too-short");
        assertThat(huge.rejection().kind()).isEqualTo("too-long");
        assertThat(other.outcome()).isEqualTo(Admission.Outcome.ACCEPTED);
        assertThat(index.size()).isEqualTo(2); // refused and duplicate records are not added

        assertThat(tally.accepted()).isEqualTo(2);
        assertThat(tally.duplicates()).isEqualTo(2);
        assertThat(tally.rejected()).isEqualTo(3);
        assertThat(tally.byReason()).isEqualTo(Map.of("near-duplicate", 1L, "language", 1L, "too-short", 1L,
                "too-long", 1L));
    }

    @Test
    void withNearDuplicateDetectionOffOnlyExactDuplicatesAreDropped() {
        Admission exactOnly = new Admission(new Admission.Policy(1, 400, Optional.empty(), 1.1, 128, 16));
        DedupIndex index = exactOnly.newIndex();
        assertThat(exactOnly.admit(index, exactOnly.candidate(record(1, POEM, "Waves.", null))).outcome())
                .isEqualTo(Admission.Outcome.ACCEPTED);
        assertThat(exactOnly.admit(index, exactOnly.candidate(record(2, POEM.replace(",", ";") + "!", "Waves.", "fr")))
                .outcome()).isEqualTo(Admission.Outcome.ACCEPTED);
        assertThat(exactOnly.admit(index, exactOnly.candidate(record(3, POEM, "Waves.", null))).outcome())
                .isEqualTo(Admission.Outcome.DUPLICATE);
    }

    @Test
    void talliesAddUp() {
        Admission.Tally batch = new Admission.Tally();
        Admission.Tally message = new Admission.Tally();
        DedupIndex index = admission.newIndex();
        message.count(admission.admit(index, admission.candidate(record(1, "Name a prime.", "7", "fr"))));
        message.count(admission.admit(index, admission.candidate(record(2, "Name a prime.", "7", "en"))));
        batch.add(message);
        batch.add(message);
        assertThat(batch.total()).isEqualTo(4);
        assertThat(batch.accepted()).isEqualTo(2);
        assertThat(batch.byReason()).isEqualTo(Map.of("language", 2L));
    }
}
