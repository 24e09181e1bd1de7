package io.tuneloop.ingest.flow;

import io.tuneloop.ingest.flow.Admission;
import io.tuneloop.ingest.parse.InvalidUploadException;
import io.tuneloop.ingest.parse.ParsedRecord;
import io.tuneloop.ingest.parse.Rejection;
import io.tuneloop.ingest.parse.UploadFormat;
import io.tuneloop.ingest.parse.UploadReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads an upload on its own thread, ahead of the thread that deduplicates and sends: parsing,
 * record ids and MinHash signatures depend on one record only, so they overlap with the dedup checks
 * and Kafka sends of earlier records. Items arrive in file order, in chunks through a bounded queue
 * (memory stays constant however far the parser could run ahead).
 */
final class ParseAhead implements AutoCloseable {
    private static final int CHUNK = 256;
    private static final List<Item> END = List.of();

    /** What the parser hands over: a record ready for dedup, or a rejection. */
    sealed interface Item permits Prepared, Rejected {
    }

    /** A parsed record with what admission decides on. */
    record Prepared(Admission.Candidate candidate) implements Item {
    }

    record Rejected(Rejection rejection) implements Item {
    }

    private final BlockingQueue<List<Item>> chunks = new ArrayBlockingQueue<>(16);
    private final Thread parser;
    private volatile RuntimeException failure;
    private volatile UploadReader.Summary summary;

    /**
     * @param candidate a record's id and signature (depends on the record only)
     */
    ParseAhead(UploadReader reader, InputStream upload, Function<ParsedRecord, Admission.Candidate> candidate,
               String name) {
        // the parser owns and closes {@code upload}
        this.parser = new Thread(() -> parse(reader, upload, candidate), "upload-parser-" + name);
        parser.setDaemon(true);
        parser.start();
    }

    /** Hands every item to {@code consumer} on the calling thread, then returns the reader's summary. */
    UploadReader.Summary forEach(Consumer<Item> consumer) {
        try {
            for (List<Item> chunk = chunks.take(); chunk != END; chunk = chunks.take()) {
                chunk.forEach(consumer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the upload", e);
        }
        if (failure != null) {
            throw failure;
        }
        return summary;
    }

    private void parse(UploadReader reader, InputStream upload, Function<ParsedRecord, Admission.Candidate> candidate) {
        List<Item>[] chunk = new List[] {new ArrayList<Item>(CHUNK)};
        long[] read = new long[2]; // records, rejections
        Consumer<Item> emit = item -> {
            chunk[0].add(item);
            if (chunk[0].size() == CHUNK) {
                put(chunk[0]);
                chunk[0] = new ArrayList<>(CHUNK);
            }
        };
        try (InputStream in = upload) {
            try {
                summary = reader.read(in, record -> {
                    read[0]++;
                    emit.accept(new Prepared(candidate.apply(record)));
                }, rejection -> {
                    read[1]++;
                    emit.accept(new Rejected(rejection));
                });
            } catch (InvalidUploadException e) {
                if (read[0] == 0 && read[1] == 0) {
                    throw e; // nothing read: the upload as a whole is refused
                }
                // a cap hit after some records: those are kept, the rest is reported
                emit.accept(new Rejected(Rejection.of(0, null, e.getMessage() + "; the rest of the file was not read", null)));
                summary = new UploadReader.Summary(UploadFormat.JSONL, false, read[0], read[1] + 1);
            }
        } catch (Interrupted e) {
            return; // the consumer gave up; nobody takes from the queue any more
        } catch (IOException e) {
            failure = new UncheckedIOException("cannot read the upload", e);
        } catch (RuntimeException e) {
            failure = e;
        }
        put(chunk[0]);
        put(END);
    }

    private void put(List<Item> items) {
        try {
            chunks.put(items);
        } catch (InterruptedException e) {
            throw new Interrupted();
        }
    }

    /** Unwinds the parser when the consuming side stopped early. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super(null, null, false, false);
        }
    }

    @Override
    public void close() {
        if (parser.isAlive()) {
            parser.interrupt();
            try {
                parser.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
