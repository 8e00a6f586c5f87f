package io.caravan.ledger;

import io.caravan.error.SafeMessage;

/**
 * A batch was to be written or completed, but its ledger row is no longer {@code running}
 * (it already completed or failed): a batch is written once. The message names the batch and its
 * status only.
 */
public class BatchNotRunningException extends IllegalStateException implements SafeMessage {
    private static final long serialVersionUID = 1L;

    public BatchNotRunningException(String batchId, String status) {
        super("batch " + batchId + " is " + status + ", not running; a batch is written once");
    }
}
