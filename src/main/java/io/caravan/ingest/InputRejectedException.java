package io.caravan.ingest;

/**
 * A source that cannot be ingested as a whole (over a size limit, refused DOCTYPE, structurally
 * corrupt). A data error, not a configuration error: the batch fails with this reason and the file
 * is moved aside. The message names the source, the row where known, and the rule — never a value.
 */
public class InputRejectedException extends RuntimeException {
    public InputRejectedException(String message) {
        super(message, null, false, false);
    }
}
