package io.tuneloop.ingest.dedup;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a dataset already holds, for deduplication: the ids of its records (exact duplicates share an
 * id) and their MinHash signatures in an LSH index (bands of rows: records similar above the
 * threshold collide in some band with high probability; candidates are then checked). Entries of an
 * upload are staged and become part of the index only when the upload commits.
 */
public final class DedupIndex {
    static final int MAX_BUCKET = 16;
    private final int bands;
    private final int rows;
    private final double threshold;
    private final Set<String> ids = new HashSet<>();
    private final Map<Long, List<Entry>> buckets = new HashMap<>();

    /** One indexed record. */
    public record Entry(String recordId, int[] signature) {
    }

    public DedupIndex(int permutations, int bands, double threshold) {
        if (permutations % bands != 0) {
            throw new IllegalArgumentException(permutations + " permutations do not split into " + bands + " bands");
        }
        this.bands = bands;
        this.rows = permutations / bands;
        this.threshold = threshold;
    }

    public synchronized boolean containsId(String recordId) {
        return ids.contains(recordId);
    }

    /** The id of an indexed record at least {@code threshold}-similar to {@code signature}, if any. */
    public synchronized Optional<String> nearDuplicateOf(int[] signature) {
        Set<String> checked = new HashSet<>();
        for (int band = 0; band < bands; band++) {
            for (Entry candidate : buckets.getOrDefault(bandKey(signature, band), List.of())) {
                if (checked.add(candidate.recordId())
                        && MinHasher.similarity(signature, candidate.signature()) >= threshold) {
                    return Optional.of(candidate.recordId());
                }
            }
        }
        return Optional.empty();
    }

    /** Adds a record; one without a signature (near-duplicate detection off) is known by id only. */
    public synchronized void add(Entry entry) {
        if (!ids.add(entry.recordId()) || entry.signature().length == 0) {
            return;
        }
        for (int band = 0; band < bands; band++) {
            List<Entry> bucket = buckets.computeIfAbsent(bandKey(entry.signature(), band), k -> new ArrayList<>());
            // a crowded bucket means many records share this band (templated data): checking all of them
            // would make ingest quadratic, and a near-duplicate collides in other bands too
            if (bucket.size() < MAX_BUCKET) {
                bucket.add(entry);
            }
        }
    }

    public synchronized int size() {
        return ids.size();
    }

    private long bandKey(int[] signature, int band) {
        long h = band * 0x9E3779B97F4A7C15L;
        for (int r = 0; r < rows; r++) {
            h = (h ^ signature[band * rows + r]) * 0x100000001b3L;
        }
        return h;
    }

    /** Writes entries (one upload's) compactly: id, then the signature. */
    public static void write(List<Entry> entries, OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(entries.size());
        for (Entry e : entries) {
            data.writeUTF(e.recordId());
            data.writeShort(e.signature().length);
            for (int v : e.signature()) {
                data.writeInt(v);
            }
        }
        data.flush();
    }

    public static List<Entry> read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int count = data.readInt();
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = data.readUTF();
            int length = data.readShort();
            int[] signature = new int[length];
            for (int j = 0; j < length; j++) {
                signature[j] = data.readInt();
            }
            entries.add(new Entry(id, signature));
        }
        return entries;
    }
}
