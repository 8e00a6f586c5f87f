package io.caravan.ledger;

import java.util.List;
import java.util.Objects;

/**
 * One gate a file failed: the gate, a sentence an operator and the partner can act on, the figure
 * measured and the limit it broke, and the column names involved. Names and figures only, never a
 * value of the file.
 *
 * @param gate     {@code columns}, {@code volume}, {@code rejection_rate}, {@code required_nulls},
 *                 {@code vin_validity} or {@code dates}
 * @param detail   e.g. {@code "column renamed: Verkaufsnr → Belegnummer (position 1)"}
 * @param measured the measured figure (a percentage or a row count), null for column drift
 * @param limit    the limit it broke, null for column drift
 * @param columns  the column (or field) names involved; empty when none
 */
public record QuarantineReason(String gate, String detail, Double measured, Double limit, List<String> columns) {
    public QuarantineReason {
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(detail, "detail");
        columns = columns == null ? List.of() : List.copyOf(columns);
    }
}
