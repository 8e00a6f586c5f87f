package io.caravan.consent;

import io.caravan.pipeline.Row;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Decides which rows of a chunk may be processed for a purpose: the {@code consent} step.
 *
 * <p>Contract. {@link #check} looks only at pending rows and never adds, removes or reorders
 * rows. For each pending row whose {@code _subject} field names a present identifier it sets
 * {@link Row#subjectToken(String)} to that identifier's token with the active {@code warehouse}
 * key. Then, in this order: a row whose e-mail or phone, tokenised in the {@code suppression} key
 * domain, is on the suppression list is disposed
 * {@link io.caravan.pipeline.Disposition#SUPPRESSED}; a row
 * with a subject whose latest event for the purpose (greatest {@code captured_at}, ties to the
 * greatest {@code event_id}) does not {@linkplain Purpose#permits permit} it is disposed
 * {@link io.caravan.pipeline.Disposition#CONSENT_FILTERED}. Rows without a subject pass.
 *
 * <p>Implementations answer a chunk with a bounded number of look-ups (not one per row), are
 * thread-safe, and log nothing about rows. A look-up failure is thrown (the batch fails), never
 * treated as consent.
 */
interface ConsentCheck {

    void check(Purpose purpose, List<Row> chunk);

    /**
     * The same decision for rows that carry no raw identifier, only their warehouse-domain
     * {@code subject_token} (export time: the export step filters warehouse rows by it).
     *
     * <p>Contract. Answers the subset of {@code subjectTokens} whose rows may be processed for the
     * purpose: the latest event for the purpose recorded under that token (greatest {@code captured_at}, ties to the greatest
     * {@code event_id}) must {@linkplain Purpose#permits permit} it. {@code null} elements are
     * ignored: a row without a subject token has no subject and passes (the caller keeps it). The
     * input is not modified. Callers pass a bounded chunk (e.g. 1,000 tokens); an implementation
     * answers it with a bounded number of look-ups. A look-up failure is thrown, never treated as
     * consent. Logs nothing.
     *
     * <p>The suppression list is not consulted: it holds {@code suppression}-domain tokens, and an
     * erased subject's warehouse rows and history are deleted by the erasure itself (later rows of
     * the subject are suppressed at ingest, so none reaches the warehouse). Tokens are matched as
     * given: a token made with a retired warehouse key matches the history recorded under that key
     * only; the re-key job moves rows and history to the active key together.
     */
    Set<String> permittedTokens(Purpose purpose, Collection<String> subjectTokens);
}
