package io.caravan.fetch;

import io.caravan.error.SafeMessage;

/**
 * An API sync that cannot go on: a refused host or address, an HTTP status outside the retry rules,
 * an exhausted retry budget, a connection failure. The message names the connector, the request
 * (page or token request) and the rule; never a URL query, a value, a token or a credential.
 */
class FetchException extends RuntimeException implements SafeMessage {
    public FetchException(String message) {
        super(message, null, false, false);
    }
}
