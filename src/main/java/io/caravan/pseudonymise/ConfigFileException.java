package io.caravan.pseudonymise;

/**
 * A configuration file is missing or breaks its rules. The message names the file and the JSON
 * path of each problem ({@code config/policies.yaml: $.policies[0].fields.email: ...}) so that a
 * person can act on it; thrown at start-up.
 */
public final class ConfigFileException extends IllegalStateException {
    public ConfigFileException(String message) {
        super(message);
    }
}
