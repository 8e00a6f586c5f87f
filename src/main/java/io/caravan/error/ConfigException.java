package io.caravan.error;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A configuration error: a configuration file (a connector descriptor, the partners file, a
 * policy, purpose, agreement or feed file, the vocabularies) or a configured key that is missing,
 * unreadable or breaks its rules. Raised at start-up, on a reload and by validation, so that
 * Caravan does not run with it.
 *
 * <p>Each problem names the file and the JSON path, e.g.
 * {@code connectors/x.yaml: $.fields.vin.type: unknown type 'vinn'}; never a configured value that
 * could be a secret or personal data. {@link #code()} is stable and meant for machines.
 */
public class ConfigException extends IllegalStateException implements SafeMessage {
    private static final long serialVersionUID = 1L;

    /** What kind of error; {@link #toString()} is the stable code, e.g. {@code config.missing-key}. */
    public enum Code {
        /** A file or directory that must exist does not. */
        MISSING,
        /** A file that exists but is not readable YAML. */
        UNREADABLE,
        /** A document that breaks its schema or a rule the schema cannot state. */
        INVALID,
        /** A key the configuration must provide is missing or unusable. */
        MISSING_KEY;

        @Override
        public String toString() {
            return "config." + name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Code code;
    private final transient List<String> problems;

    /** One problem, as {@code file: $.path: problem}. */
    public ConfigException(Code code, String problem) {
        super(problem);
        this.code = Objects.requireNonNull(code, "code");
        this.problems = List.of(problem);
    }

    /**
     * Several problems found at once; the message is the single problem, or their count followed
     * by one problem a line ({@code "3 problems in connector descriptors:\n  ..."}).
     *
     * @param what what was read, for the count line (e.g. {@code "connector descriptors"})
     */
    public ConfigException(Code code, String what, List<String> problems) {
        super(problems.size() == 1 ? problems.get(0)
                : problems.size() + " problems in " + what + ":\n  " + String.join("\n  ", problems));
        this.code = Objects.requireNonNull(code, "code");
        this.problems = List.copyOf(problems);
    }

    public Code code() {
        return code;
    }

    /** Each problem as {@code file: $.path: problem}, in the order found. */
    public List<String> problems() {
        return problems;
    }
}
