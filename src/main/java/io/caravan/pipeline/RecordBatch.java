package io.caravan.pipeline;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The message body that flows between the pipeline steps of a route: one batch's context and a
 * lazy, single-pass stream of its rows. Steps do not collect rows; they wrap the stream
 * ({@link #map}, {@link #chunked}), so a file of any size flows through in constant memory, one
 * row (or one bounded chunk) at a time, and is only read when the last step drains it.
 *
 * <p>Every row read from the source stays in the stream until the end, whatever its
 * {@link Disposition}: steps skip rows that are no longer pending, but never drop them, so the
 * writer at the end sees each input row exactly once and the ledger adds up by construction.
 *
 * <p>Not thread-safe; single use. {@link #close()} releases the source (idempotent).
 * {@link #toString()} names the batch, never its content.
 */
public final class RecordBatch implements Closeable {
    private final BatchContext context;
    private final Iterator<Row> rows;
    private final List<Closeable> resources = new ArrayList<>(2);
    private boolean consumed;
    private boolean closed;

    public RecordBatch(BatchContext context, Iterator<Row> rows, Closeable source) {
        this.context = Objects.requireNonNull(context, "context");
        this.rows = Objects.requireNonNull(rows, "rows");
        if (source != null) {
            resources.add(source);
        }
    }

    private RecordBatch(RecordBatch upstream, Iterator<Row> rows) {
        this.context = upstream.context;
        this.rows = rows;
        this.resources.add(upstream);
    }

    public BatchContext context() {
        return context;
    }

    /** The rows, once. A second call fails: a batch is a stream, not a collection. */
    public Iterator<Row> rows() {
        if (consumed) {
            throw new IllegalStateException("the rows of " + context + " were already consumed");
        }
        consumed = true;
        return rows;
    }

    /** A batch whose pending rows pass through {@code step} (which may reject or dispose them). */
    public RecordBatch map(Consumer<Row> step) {
        Iterator<Row> upstream = rows();
        return new RecordBatch(this, new Iterator<>() {
            @Override public boolean hasNext() { return upstream.hasNext(); }
            @Override public Row next() {
                Row row = upstream.next();
                if (row.isPending()) {
                    step.accept(row);
                }
                return row;
            }
        });
    }

    /**
     * A batch whose rows pass through {@code step} in chunks of at most {@code size} rows, for
     * steps that look up many rows at once (consent, suppression). The step sees every row of
     * the chunk, pending or not, and must keep their order.
     */
    public RecordBatch chunked(int size, Consumer<List<Row>> step) {
        if (size < 1) {
            throw new IllegalArgumentException("chunk size must be positive");
        }
        Iterator<Row> upstream = rows();
        return new RecordBatch(this, new Iterator<>() {
            private List<Row> chunk = List.of();
            private int next;

            @Override public boolean hasNext() {
                if (next < chunk.size()) {
                    return true;
                }
                if (!upstream.hasNext()) {
                    return false;
                }
                List<Row> fresh = new ArrayList<>(size);
                while (fresh.size() < size && upstream.hasNext()) {
                    fresh.add(upstream.next());
                }
                step.accept(fresh);
                chunk = fresh;
                next = 0;
                return true;
            }

            @Override public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return chunk.get(next++);
            }
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        for (Closeable resource : resources) {
            try {
                resource.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("could not close the source of " + context, failure);
        }
    }

    @Override
    public String toString() {
        return "RecordBatch[" + context.batchId() + ", connector=" + context.connectorId() + "]";
    }
}
