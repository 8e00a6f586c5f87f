package io.caravan.error;

/**
 * Marks an exception whose message Caravan composes from names only — a file, a JSON path, a
 * batch, a row number, a field, a rule, a class — and never from a value, a key or a credential.
 * Such a message may be stored in the ledger, logged and shown to an operator as it is;
 * {@link FailureReasons} relies on this mark and on nothing else. Every exception type declared
 * under {@code io.caravan} carries it (the architecture tests check that).
 */
public interface SafeMessage {
}
