package io.caravan.platform;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What PostgreSQL's lock file {@value #FILE_NAME} in a data directory says: line 1 is the
 * postmaster's process id (negative for a single-user backend), line 2 the data directory it
 * serves, line 4 its port. The server writes the file in stages while it starts, so lines after
 * the first may be missing.
 *
 * @param pid           the process id (positive)
 * @param dataDirectory the data directory named in the file, or null when the line is missing
 * @param port          the port, or -1 when the line is missing or not a port
 */
record PostmasterPid(long pid, Path dataDirectory, int port) {
    static final String FILE_NAME = "postmaster.pid";

    PostmasterPid {
        if (pid <= 0) {
            throw new IllegalArgumentException("a postmaster's process id is positive, was " + pid);
        }
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("not a port: " + port);
        }
    }

    /**
     * Parses the file's text. Empty when it names no process (PostgreSQL was interrupted while
     * writing it, or the file is not PostgreSQL's); never throws.
     */
    static Optional<PostmasterPid> parse(String text) {
        String[] lines = text.split("\n", -1);
        long pid;
        try {
            pid = Math.abs(Long.parseLong(lines[0].strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (pid == 0) {
            return Optional.empty();
        }
        Path dataDirectory = null;
        if (lines.length > 1 && !lines[1].isBlank()) {
            try {
                dataDirectory = Path.of(lines[1].strip());
            } catch (InvalidPathException e) {
                // left unknown
            }
        }
        int port = -1;
        if (lines.length > 3) {
            try {
                int value = Integer.parseInt(lines[3].strip());
                port = value >= 1 && value <= 65535 ? value : -1;
            } catch (NumberFormatException e) {
                // left unknown
            }
        }
        return Optional.of(new PostmasterPid(pid, dataDirectory, port));
    }
}
