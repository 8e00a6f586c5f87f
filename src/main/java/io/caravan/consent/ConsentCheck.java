package io.caravan.consent;

import io.caravan.pipeline.Row;
import java.util.List;

/**
 * Decides which rows of a chunk may be processed for a purpose: the {@code consent} step.
 *
 * <p>Contract. {@link #check} looks only at pending rows and never adds, removes or reorders
 * rows. For each pending row whose {@code _subject} field names a present identifier it sets
 * {@link Row#subjectToken(String)} to that identifier's token with the active {@code warehouse}
 * key. Then, in this order: a row any of whose identifier tokens (e-mail, phone, subject) is on
 * the suppression list is disposed {@link io.caravan.pipeline.Disposition#SUPPRESSED}; a row
 * with a subject whose latest event for the purpose (greatest {@code captured_at}, ties to the
 * greatest {@code event_id}) does not {@linkplain Purpose#permits permit} it is disposed
 * {@link io.caravan.pipeline.Disposition#CONSENT_FILTERED}. Rows without a subject pass.
 *
 * <p>Implementations answer a chunk with a bounded number of look-ups (not one per row), are
 * thread-safe, and log nothing about rows. A look-up failure is thrown (the batch fails), never
 * treated as consent.
 */
public interface ConsentCheck {

    void check(Purpose purpose, List<Row> chunk);
}
