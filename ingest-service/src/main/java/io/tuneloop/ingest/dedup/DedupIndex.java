package io.tuneloop.ingest.dedup;

import io.tuneloop.ingest.parse.RecordIds;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * What a dataset already holds, for deduplication: the ids of its records (exact duplicates share an
 * id) and their MinHash signatures in an LSH index (bands of rows: records similar above the
 * threshold collide in some band with high probability; candidates are then checked).
 *
 * <p>Sized for millions of records in primitive arrays, about 300 bytes per record with the default
 * 128 permutations, where boxed maps took kilobytes: an id is its 128 bits in two longs; a signature
 * keeps the low 16 bits of each MinHash value (two different minima agree there by chance once in
 * 65,536, which moves a similarity estimate by less than 0.0001); each band is a slot in one
 * open-addressing multimap from band key to record.
 *
 * <p>Not thread-safe: the ingest service holds a dataset's lock while it uses its index. Records of
 * an upload are added as they are accepted; an upload that fails drops the whole in-memory index,
 * which is then reloaded from the committed batches' entries.
 */
public final class DedupIndex {
    /** A band key shared by more records than this (templated data) stops taking new ones: checking
     * them all would make ingest quadratic, and a real near-duplicate collides in other bands too. */
    static final int MAX_BUCKET = 16;
    private static final int FILE_MAGIC = 0x544C4458; // "TLDX"
    private static final int FILE_VERSION = 1;

    private final int permutations;
    private final int bands;
    private final int rows;
    private final double threshold;

    private int size;
    private long[] idHigh = new long[16];
    private long[] idLow = new long[16];
    /** [record * permutations + p]; all-zero rows are records known by id only. */
    private short[] signatures;
    private boolean[] hasSignature = new boolean[16];

    /** Exact ids: open addressing, slot holds record + 1 (0 = empty). */
    private int[] idSlots = new int[32];
    /** Bands: open-addressing multimap, equal keys may occupy several slots of one probe run. */
    private long[] bandKeys = new long[64];
    private int[] bandRecords = new int[64];
    private int bandEntries;
    /** Candidates already compared during one lookup (reused: lookups run on one thread at a time). */
    private final int[] checkedScratch;

    public DedupIndex(int permutations, int bands, double threshold) {
        if (bands <= 0 || permutations % bands != 0) {
            throw new IllegalArgumentException(permutations + " permutations do not split into " + bands + " bands");
        }
        this.permutations = permutations;
        this.bands = bands;
        this.rows = permutations / bands;
        this.threshold = threshold;
        this.signatures = new short[16 * permutations];
        this.checkedScratch = new int[bands * MAX_BUCKET];
    }

    public int size() {
        return size;
    }

    public boolean containsId(String recordId) {
        return containsId(high(recordId), low(recordId));
    }

    /** The id of an indexed record at least {@code threshold}-similar to {@code signature}, if any. */
    public Optional<String> nearDuplicateOf(int[] signature) {
        return nearDuplicateOf(truncate(signature));
    }

    /**
     * Adds the record unless an indexed one is at least {@code threshold}-similar to it; returns that
     * one's id when there is one (the signature is compacted once for both steps).
     */
    public Optional<String> addUnlessNearDuplicate(String recordId, int[] signature) {
        requireLength(signature);
        short[] query = truncate(signature);
        Optional<String> similar = nearDuplicateOf(query);
        if (similar.isEmpty()) {
            add(high(recordId), low(recordId), query, 0);
        }
        return similar;
    }

    private Optional<String> nearDuplicateOf(short[] query) {
        int[] checked = checkedScratch;
        int checkedCount = 0;
        for (int band = 0; band < bands; band++) {
            long key = bandKey(query, 0, band);
            for (int slot = slotOf(key, bandKeys.length); ; slot = (slot + 1) & (bandKeys.length - 1)) {
                int record = bandRecords[slot] - 1;
                if (record < 0) {
                    break;
                }
                if (bandKeys[slot] != key || contains(checked, checkedCount, record)) {
                    continue;
                }
                if (checkedCount < checked.length) {
                    checked[checkedCount++] = record;
                }
                if (similarity(query, record) >= threshold) {
                    return Optional.of(idOf(record));
                }
            }
        }
        return Optional.empty();
    }

    /** Adds a record; one without a signature (near-duplicate detection off) is known by id only. */
    public void add(String recordId, int[] signature) {
        if (signature.length != 0) {
            requireLength(signature);
        }
        add(high(recordId), low(recordId), signature.length == 0 ? null : truncate(signature), 0);
    }

    private void requireLength(int[] signature) {
        if (signature.length != permutations) {
            throw new IllegalArgumentException("signature of " + signature.length + " values, index of " + permutations);
        }
    }

    private void add(long high, long low, short[] source, int offset) {
        if (containsId(high, low)) {
            return;
        }
        int record = size++;
        if (record == idHigh.length) {
            int capacity = idHigh.length * 2;
            idHigh = Arrays.copyOf(idHigh, capacity);
            idLow = Arrays.copyOf(idLow, capacity);
            hasSignature = Arrays.copyOf(hasSignature, capacity);
            signatures = Arrays.copyOf(signatures, capacity * permutations);
        }
        idHigh[record] = high;
        idLow[record] = low;
        if (2 * size > idSlots.length) {
            rehashIds(idSlots.length * 2);
        }
        insertId(record);
        if (source == null) {
            return;
        }
        hasSignature[record] = true;
        System.arraycopy(source, offset, signatures, record * permutations, permutations);
        for (int band = 0; band < bands; band++) {
            insertBand(bandKey(signatures, record * permutations, band), record);
        }
    }

    private boolean containsId(long high, long low) {
        for (int slot = slotOf(high ^ low, idSlots.length); ; slot = (slot + 1) & (idSlots.length - 1)) {
            int record = idSlots[slot] - 1;
            if (record < 0) {
                return false;
            }
            if (idHigh[record] == high && idLow[record] == low) {
                return true;
            }
        }
    }

    private void insertId(int record) {
        int slot = slotOf(idHigh[record] ^ idLow[record], idSlots.length);
        while (idSlots[slot] != 0) {
            slot = (slot + 1) & (idSlots.length - 1);
        }
        idSlots[slot] = record + 1;
    }

    private void rehashIds(int capacity) {
        idSlots = new int[capacity];
        for (int r = 0; r < size - 1; r++) {
            insertId(r);
        }
    }

    private void insertBand(long key, int record) {
        if (2 * (bandEntries + 1) > bandKeys.length) {
            rehashBands(bandKeys.length * 2);
        }
        int sameKey = 0;
        int slot = slotOf(key, bandKeys.length);
        while (bandRecords[slot] != 0) {
            if (bandKeys[slot] == key && ++sameKey >= MAX_BUCKET) {
                return;
            }
            slot = (slot + 1) & (bandKeys.length - 1);
        }
        bandKeys[slot] = key;
        bandRecords[slot] = record + 1;
        bandEntries++;
    }

    private void rehashBands(int capacity) {
        long[] oldKeys = bandKeys;
        int[] oldRecords = bandRecords;
        bandKeys = new long[capacity];
        bandRecords = new int[capacity];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldRecords[i] != 0) {
                int slot = slotOf(oldKeys[i], capacity);
                while (bandRecords[slot] != 0) {
                    slot = (slot + 1) & (capacity - 1);
                }
                bandKeys[slot] = oldKeys[i];
                bandRecords[slot] = oldRecords[i];
            }
        }
    }

    private double similarity(short[] query, int record) {
        int base = record * permutations;
        int equal = 0;
        for (int p = 0; p < permutations; p++) {
            if (query[p] == signatures[base + p]) {
                equal++;
            }
        }
        return (double) equal / permutations;
    }

    private long bandKey(short[] signature, int offset, int band) {
        long h = (band + 1) * 0x9E3779B97F4A7C15L;
        for (int r = 0; r < rows; r++) {
            h = (h ^ (signature[offset + band * rows + r] & 0xFFFF)) * 0x100000001b3L;
        }
        return h;
    }

    private short[] truncate(int[] signature) {
        short[] values = new short[signature.length];
        for (int i = 0; i < signature.length; i++) {
            values[i] = (short) signature[i];
        }
        return values;
    }

    private static int slotOf(long hash, int capacity) {
        long z = (hash ^ (hash >>> 32)) * 0x9E3779B97F4A7C15L;
        return (int) (z >>> 40) & (capacity - 1);
    }

    private static boolean contains(int[] values, int count, int value) {
        for (int i = 0; i < count; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    private static long high(String recordId) {
        requireId(recordId);
        return Long.parseUnsignedLong(recordId, 0, 16, 16);
    }

    private static long low(String recordId) {
        return Long.parseUnsignedLong(recordId, 16, 32, 16);
    }

    private static void requireId(String recordId) {
        if (recordId == null || recordId.length() != RecordIds.HEX_LENGTH) {
            throw new IllegalArgumentException("a record id is " + RecordIds.HEX_LENGTH + " hex digits; was " + recordId);
        }
    }

    private String idOf(int record) {
        return String.format("%016x%016x", idHigh[record], idLow[record]);
    }

    /** Writes every record: see {@link #writeTo(OutputStream, int)}. */
    public void writeTo(OutputStream out) throws IOException {
        writeTo(out, 0);
    }

    /**
     * Writes the records added since the index had {@code fromSize} records (one upload's): a header,
     * then per record its id, a signature flag and the signature.
     */
    public void writeTo(OutputStream out, int fromSize) throws IOException {
        DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(out, 1 << 16));
        data.writeInt(FILE_MAGIC);
        data.writeInt(FILE_VERSION);
        data.writeInt(permutations);
        data.writeInt(size - fromSize);
        for (int r = fromSize; r < size; r++) {
            data.writeLong(idHigh[r]);
            data.writeLong(idLow[r]);
            data.writeBoolean(hasSignature[r]);
            if (hasSignature[r]) {
                for (int p = 0; p < permutations; p++) {
                    data.writeShort(signatures[r * permutations + p]);
                }
            }
        }
        data.flush();
    }

    /** Adds the records of a stream written by {@link #writeTo}. */
    public void readFrom(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
        if (data.readInt() != FILE_MAGIC || data.readInt() != FILE_VERSION) {
            throw new IOException("not a dedup index file of version " + FILE_VERSION);
        }
        int filePermutations = data.readInt();
        if (filePermutations != permutations) {
            throw new IOException("dedup entries of " + filePermutations + " permutations; this index has "
                    + permutations + " (was tuneloop.ingest.dedup.permutations changed?)");
        }
        int count = data.readInt();
        short[] signature = new short[permutations];
        for (int r = 0; r < count; r++) {
            long high = data.readLong();
            long low = data.readLong();
            boolean signed = data.readBoolean();
            if (signed) {
                for (int p = 0; p < permutations; p++) {
                    signature[p] = data.readShort();
                }
            }
            add(high, low, signed ? signature : null, 0);
        }
    }
}
