package io.caravan.connector;

/**
 * A format type that an installed reader can read ({@code csv}, {@code fixed-width},
 * {@code adf-xml}, {@code json}). The readers implement it, so that {@link ConnectorRegistry}
 * refuses a descriptor whose format has no reader without depending on the readers themselves.
 */
public interface ReaderFormat {

    /** The value of {@code $.format.type} this reader reads. */
    String formatType();
}
