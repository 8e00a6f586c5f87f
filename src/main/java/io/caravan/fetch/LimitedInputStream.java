package io.caravan.fetch;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * An answer body under the fetch rules while it streams: reading past {@code limit} bytes (a
 * response that never ends, or a 2 GB one, whatever its headers said) and a connection that breaks
 * off before the answer's end both throw a {@link Refused} whose message is the run's reason, and
 * report it once to {@code failed}. Not thread-safe (one reader).
 */
final class LimitedInputStream extends FilterInputStream {
    /** The answer was refused while reading; the message names the connector, the page and the rule. */
    static final class Refused extends IOException implements io.caravan.error.SafeMessage {
        Refused(String message) {
            super(message);
        }
    }

    private final long limit;
    private final String tooLarge;
    private final String brokeOff;
    private final Consumer<FetchException> failed;
    private long count;
    private boolean reported;

    LimitedInputStream(InputStream in, long limit, String tooLarge, String brokeOff, Consumer<FetchException> failed) {
        super(in);
        this.limit = limit;
        this.tooLarge = tooLarge;
        this.brokeOff = brokeOff;
        this.failed = failed;
    }

    @Override
    public int read() throws IOException {
        int b = guarded(() -> super.read());
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = guarded(() -> super.read(buffer, offset, length));
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = guarded(() -> (int) Math.min(Integer.MAX_VALUE, super.skip(n)));
        counted(skipped);
        return skipped;
    }

    private interface Read {
        int read() throws IOException;
    }

    private int guarded(Read read) throws IOException {
        try {
            return read.read();
        } catch (Refused e) {
            throw e;
        } catch (IOException e) {
            throw refuse(brokeOff + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private void counted(long n) throws Refused {
        count += n;
        if (count > limit) {
            throw refuse(tooLarge);
        }
    }

    private Refused refuse(String message) {
        if (!reported) {
            reported = true;
            failed.accept(new FetchException(message));
        }
        return new Refused(message);
    }
}
