package io.caravan.pipeline;

import io.caravan.ingest.InputRejectedException;

/**
 * Turns an exception into a reason for the ledger that names no value: the message of Caravan's
 * own exceptions (which are written to name files, rows and fields only) and only the class name of
 * anything else, since a library's message may quote data (a driver echoing a value, a parser
 * quoting a line).
 */
public final class FailureReasons {
    private FailureReasons() {
    }

    public static String of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InputRejectedException) {
                return t.getMessage();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getClass().getName().startsWith("io.caravan.") && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return failure == null ? "unknown failure" : "unexpected " + failure.getClass().getSimpleName();
    }
}
