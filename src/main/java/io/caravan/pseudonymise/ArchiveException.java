package io.caravan.pseudonymise;

import io.caravan.error.SafeMessage;

/**
 * A kept partner file cannot be read back: there is none for the batch, it was shredded, or it
 * does not authenticate. The message names the batch or archive id, never content or key material.
 */
public final class ArchiveException extends RuntimeException implements SafeMessage {
    private static final long serialVersionUID = 1L;

    public ArchiveException(String message) {
        super(message);
    }
}
