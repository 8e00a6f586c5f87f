package io.caravan.exchange;

/**
 * The partners file cannot be used. The message names the file and the JSON path of the fault
 * ({@code config/partners.yaml: $.partners[2].id: does not match the regex pattern ^[a-z0-9-]+$})
 * and never repeats a configured value.
 */
public class PartnerConfigException extends RuntimeException {

    PartnerConfigException(String message) {
        super(message);
    }

    PartnerConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
