package io.caravan.platform;

/**
 * {@code data/local.env}: what a person or a script needs to reach what the embedded default
 * started, as {@code KEY=value} lines that a POSIX shell can source ({@code set -a; . data/local.env}).
 * The file is readable by its owner only. Components add their entries while they start; the
 * file is rewritten, whole and atomically, on every change.
 *
 * <p>Thread-safe. Values are written to the file only, never logged.
 */
public interface LocalEnv {

    /** Sets (or replaces) one variable and rewrites the file. */
    void put(String name, String value);
}
