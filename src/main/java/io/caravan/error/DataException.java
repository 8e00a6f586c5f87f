package io.caravan.error;

import java.util.Locale;
import java.util.Objects;

/**
 * A data error: input that cannot be ingested as it is. A single bad row is not an exception (it
 * is rejected alone, as an {@code Issue} with its field and rule, and the batch goes on); this type
 * is for a source refused as a whole — over a size limit, a refused DOCTYPE, a structurally corrupt
 * file, a header or row the parser cannot split. The batch fails with this message as its reason
 * and the file is moved aside.
 *
 * <p>The message names the source, the row and the field where known, and the rule; never a
 * value. {@link #code()} is stable and meant for machines (metrics, tests, an acknowledgement).
 * No stack trace is recorded: the message is the whole diagnosis.
 */
public class DataException extends RuntimeException implements SafeMessage {
    private static final long serialVersionUID = 1L;

    /** What kind of error; {@link #toString()} is the stable code, e.g. {@code data.source-refused}. */
    public enum Code {
        /** The source as a whole is refused (size, structure, a row the parser cannot split). */
        SOURCE_REFUSED;

        @Override
        public String toString() {
            return "data." + name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Code code;

    /** A refused source ({@link Code#SOURCE_REFUSED}); {@code message} names source, row and rule. */
    public DataException(String message) {
        this(Code.SOURCE_REFUSED, message);
    }

    public DataException(Code code, String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public Code code() {
        return code;
    }
}
