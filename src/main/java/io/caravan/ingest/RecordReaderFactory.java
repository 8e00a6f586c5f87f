package io.caravan.ingest;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.FormatSpec;
import io.caravan.connector.ReaderFormat;
import java.io.InputStream;

/**
 * Opens a {@link RecordReader} for one format type ({@code csv}, {@code fixed-width},
 * {@code adf-xml}, {@code json}). Implementations are Spring beans, stateless and thread-safe;
 * the harmonise step picks the one whose {@link #formatType()} matches the descriptor.
 */
public interface RecordReaderFactory extends ReaderFormat {

    /**
     * @param in         the source; the reader owns it from now on and closes it
     * @param descriptor the connector (format options, limits)
     * @param source     the source's name for messages (a file name or URL without credentials)
     */
    RecordReader open(InputStream in, ConnectorDescriptor descriptor, String source);

    /**
     * Opens a reader over a paged source (an HTTP API sync); the reader pulls the pages one at a
     * time and owns the source from now on. Formats that cannot be paged refuse.
     */
    default RecordReader open(PageSource pages, ConnectorDescriptor descriptor, String source) {
        throw new UnsupportedOperationException("format " + formatType() + " cannot read a paged API source");
    }

    /**
     * Opens a reader over a source that has a format but no connector descriptor (a consent feed),
     * so that its charset, delimiter, quote and byte-order mark behave as for every connector of
     * the format. Formats that need a descriptor refuse.
     *
     * @param maxFieldChars a longer value makes its row unusable
     */
    default RecordReader open(InputStream in, FormatSpec format, int maxFieldChars, String source) {
        throw new UnsupportedOperationException("format " + formatType() + " needs a connector descriptor");
    }
}
