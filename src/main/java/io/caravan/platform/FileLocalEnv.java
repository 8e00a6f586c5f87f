package io.caravan.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@link LocalEnv} backed by a file, normally {@code ${caravan.data-dir}/local.env}. Each variable is
 * a line {@code NAME='value'}, the value in POSIX shell single quotes (an embedded {@code '} is
 * written {@code '\''}), so {@code set -a; . data/local.env} exports exactly the values given.
 * The file is created {@code 0600} and replaced atomically on every {@link #put}; it starts empty
 * in each process (entries of an earlier run are replaced as components start).
 *
 * <p>Thread-safe. Values are written to the file only, never logged.
 */
final class FileLocalEnv implements LocalEnv {
    private static final Pattern NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");

    private final Path file;
    private final Map<String, String> values = new LinkedHashMap<>();

    public FileLocalEnv(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    /** Where the variables are written. */
    public Path file() {
        return file;
    }

    /**
     * @throws IllegalArgumentException when the name is not an upper-case shell variable name or
     *                                  the value is null or contains a NUL character
     * @throws UncheckedIOException     when the file cannot be written
     */
    @Override
    public synchronized void put(String name, String value) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("local.env names are upper-case shell variable names");
        }
        if (value == null || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("local.env value of " + name + " is missing or holds a NUL character");
        }
        values.put(name, value);
        try {
            OwnerOnlyFiles.writeAtomically(file, render());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    private String render() {
        StringBuilder out = new StringBuilder()
                .append("# Written by Caravan while it starts; readable by its owner only.\n")
                .append("# Use it from a shell: set -a; . ").append(file.getFileName()).append("; set +a\n");
        values.forEach((name, value) -> out.append(name).append('=').append(shellQuote(value)).append('\n'));
        return out.toString();
    }

    /** {@code value} as one POSIX shell word: single-quoted, with {@code '} written as {@code '\''}. */
    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    @Override
    public String toString() {
        return "FileLocalEnv[" + file + "]";
    }
}
