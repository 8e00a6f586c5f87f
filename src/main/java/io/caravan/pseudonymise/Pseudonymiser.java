package io.caravan.pseudonymise;

import io.caravan.pipeline.RecordBatch;

/**
 * Applies one privacy policy to a batch: the {@code pseudonymise} step.
 *
 * <p>Contract. {@link #pseudonymise} returns {@code batch.map(...)}: it is lazy (it reads no row
 * itself) and it never drops, adds or reorders rows. For each row that is still pending when it
 * is pulled, the row's fields are replaced by a new map holding only the policy's output
 * columns ({@code f_token}, {@code f_enc}, generalised columns, kept fields, and
 * {@code subject_token} where the policy hmacs the row's subject field); a field the policy does
 * not name, and any key starting with {@code _}, is not carried over. The row's
 * {@link io.caravan.pipeline.Row#keyId() keyId} is set when it received a token. Rows that are
 * no longer pending are passed on untouched. The batch context gets the policy id and the id of
 * the domain's active key, which is bound once per batch, so a key rotation never splits a
 * batch between keys. A value of the wrong type (e.g. a birth date that is not a date) nulls the
 * output column and records a warning naming the field.
 *
 * <p>Implementations are thread-safe (one batch per thread) and log nothing about rows.
 */
interface Pseudonymiser {

    /** The policy this pseudonymiser applies. */
    String policyId();

    /** The batch, wrapped so that its pending rows leave with the policy's columns only. */
    RecordBatch pseudonymise(RecordBatch batch);
}
