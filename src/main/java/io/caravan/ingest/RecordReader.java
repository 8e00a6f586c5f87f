package io.caravan.ingest;

import io.caravan.error.DataException;
import java.io.Closeable;
import java.util.Iterator;

/**
 * Reads one source (a file, or a page of an API answer) as a lazy stream of {@link SourceRow}s.
 *
 * <p>Contract: streams — memory must not grow with the size of the source; yields every record of
 * the source exactly once, in order, including unusable ones (as rows whose
 * {@link SourceRow#problem()} says why), so that the ledger can account for each; a source that
 * cannot be read at all (refused DOCTYPE, over a size limit, corrupt structure) raises
 * {@link DataException} naming the source and the rule. Never logs values. Single use,
 * one thread; {@link #close()} releases the underlying stream.
 */
public interface RecordReader extends Iterator<SourceRow>, Closeable {
}
