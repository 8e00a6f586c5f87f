package io.caravan.deliver;

import io.caravan.error.SafeMessage;

/**
 * A programming error found while writing a batch: a field that is not a column of the table, a
 * Java type that does not fit its column, a pending row without a record key. These are
 * descriptor or policy bugs, not data errors, so they fail the whole batch. Messages are composed
 * here from field names, row numbers and type names only, never from values.
 */
final class WriterDefect extends RuntimeException implements SafeMessage {
    private static final long serialVersionUID = 1L;

    WriterDefect(String message) {
        super(message);
    }
}
