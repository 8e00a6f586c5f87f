package io.caravan.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The variables Caravan wrote to {@code local.env} (README command 1), read as a shell would
 * source them: one {@code NAME='value'} a line, {@code '} inside a value written {@code '\''};
 * comment lines are skipped. A snapshot: it does not follow later changes to the file.
 * Immutable; values are never printed (not even by {@link #toString()}).
 */
public final class LocalEnvFile {
    private final Path file;
    private final Map<String, String> values;

    private LocalEnvFile(Path file, Map<String, String> values) {
        this.file = file;
        this.values = Collections.unmodifiableMap(values);
    }

    /** The variables of {@code file}. */
    public static LocalEnvFile read(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq < 1) {
                continue;
            }
            String value = line.substring(eq + 1);
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1).replace("'\\''", "'");
            }
            values.put(line.substring(0, eq), value);
        }
        return new LocalEnvFile(file, values);
    }

    /** The variables of {@code local.env} in Caravan's data directory {@code dataDir}. */
    public static LocalEnvFile in(Path dataDir) throws IOException {
        return read(dataDir.resolve("local.env"));
    }

    /**
     * The value of {@code name}.
     *
     * @throws IllegalStateException naming the file and the variable (not a value) when the file has no such variable (yet)
     */
    public String get(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalStateException(file + " has no " + name + " (yet)");
        }
        return value;
    }

    /** Every variable, in the file's order. */
    public Map<String, String> values() {
        return values;
    }

    /** A client for the API at {@code CARAVAN_API_URL}. */
    public ApiClient api() {
        return ApiClient.at(get("CARAVAN_API_URL"));
    }

    /** The {@code Authorization} value of the generated operator. */
    public String operator() {
        return ApiClient.basic(get("CARAVAN_OPERATOR_USER"), get("CARAVAN_OPERATOR_PASSWORD"));
    }

    /** The {@code Authorization} value of the generated viewer. */
    public String viewer() {
        return ApiClient.basic(get("CARAVAN_VIEWER_USER"), get("CARAVAN_VIEWER_PASSWORD"));
    }

    @Override
    public String toString() {
        return "LocalEnvFile[" + file + ": " + values.keySet() + "]";
    }
}
