package io.caravan.deliver;

/**
 * A file written beside every export of an agreement, delivered after the data file and before the
 * manifest (so a partner that waits for the manifest finds it complete), e.g. the agreement's data
 * contract. Implementations must be thread-safe, deterministic for one configuration, and must never
 * put row content, a raw identifier, a key or a password into the file.
 */
public interface ExportAttachment {
    /** What is appended to the export file's name, e.g. {@code .odcs.yaml}. */
    String suffix();

    /** The attachment for {@code agreement}. */
    byte[] content(Agreement agreement);
}
