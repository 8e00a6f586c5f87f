package io.caravan.harmonise;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.pipeline.BatchContext;

/**
 * Decides whether a delivered file may run, before any of its rows is read for delivery.
 *
 * <p>Contract: called by the harmonise step once per file batch, after the batch is open
 * ({@code running}) in the ledger and before anything is written to the warehouse; it may read the
 * whole file with the {@link PrePass} given (at most once) but must write nothing to the warehouse.
 * When it answers {@link Verdict#QUARANTINED} it has already recorded the batch as quarantined in
 * the ledger (with its reasons) and the route delivers nothing of the file. A source that cannot be
 * read at all may fail the check with the reader's exception; the batch then fails as it would have.
 * Implementations are thread-safe and never log or return values.
 */
public interface BatchGate {

    enum Verdict { PASS, QUARANTINED }

    Verdict check(BatchContext batch, ConnectorDescriptor connector, PrePass prePass);
}
