package io.caravan.deliver;

import io.caravan.error.SafeMessage;

/**
 * An export failed or was refused for a reason a person can act on. The message names the
 * agreement, the transport, the file or the setting, never a row value, key or password.
 */
class ExportException extends RuntimeException implements SafeMessage {
    public ExportException(String message) {
        super(message);
    }

    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
