package io.tuneloop.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reading an object's body failed mid-stream (the server went away or stalled): a transient fault
 * of the store, told apart from an {@link IOException} of the caller's own files.
 */
public class StoreReadException extends IOException {
    public StoreReadException(String key, IOException cause) {
        super("reading " + key + " from the store failed: " + cause.getMessage(), cause);
    }

    /** An object's body whose read failures say which object they were. */
    static final class Guarded extends FilterInputStream {
        private final String key;

        Guarded(String key, InputStream body) {
            super(body);
            this.key = key;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (StoreReadException e) {
                throw e;
            } catch (IOException e) {
                throw new StoreReadException(key, e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return super.read(buffer, offset, length);
            } catch (StoreReadException e) {
                throw e;
            } catch (IOException e) {
                throw new StoreReadException(key, e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                throw new StoreReadException(key, e);
            }
        }
    }
}
