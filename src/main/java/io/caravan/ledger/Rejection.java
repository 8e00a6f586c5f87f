package io.caravan.ledger;

/** One row of {@code caravan.rejection}: row number (1-based data row), field and rule; never a value. */
public record Rejection(String batchId, long rowNumber, String field, String reason) {
}
