package io.caravan.error;

/**
 * Turns an exception into a reason for the ledger that names no value: the message of a
 * {@link DataException} anywhere in the chain first (a refused source says best what went wrong),
 * else the message of the first {@link SafeMessage} exception, else only the class name, since a
 * library's message may quote data (a driver echoing a value, a parser quoting a line).
 */
public final class FailureReasons {
    private FailureReasons() {
    }

    public static String of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DataException) {
                return t.getMessage();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SafeMessage && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return failure == null ? "unknown failure" : "unexpected " + failure.getClass().getSimpleName();
    }
}
