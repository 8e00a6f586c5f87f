package io.caravan.consent;

import io.caravan.pipeline.Row;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Records which subjects a batch saw ({@code caravan.batch_subject}), so that an erasure finds the
 * kept file of every batch that carried the subject, whatever became of the row: delivered, an
 * unchanged re-delivery, consent-filtered, suppressed, rejected.
 *
 * <p>Contract. {@link #record} takes a chunk after the consent check and stores, for every row with
 * an {@code email} or {@code phone} field (normalised by harmonise), that identifier as a token of
 * the {@code suppression} key domain under its active key, with the batch id; one statement per
 * chunk, a sighting recorded twice is kept once. It never changes a row. Recorded in its own
 * statement, before the warehouse transaction: a batch that later fails is still found (its file is
 * kept in {@code .failed/}). Thread-safe; logs nothing; no raw identifier is written.
 */
final class BatchSubjects {
    private static final List<String> IDENTIFIERS = List.of("email", "phone");
    private static final String RECORD = """
            INSERT INTO caravan.batch_subject (batch_id, token, key_id)
            SELECT ?, t, ? FROM unnest(?::text[]) AS t
            ON CONFLICT (token, batch_id) DO NOTHING""";

    private final JdbcTemplate jdbc;
    private final KeyRing keys;

    BatchSubjects(DataSource dataSource, KeyRing keys) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /** Records the subjects of one chunk of a batch (see the class contract). */
    void record(String batchId, List<Row> chunk) {
        if (batchId == null) {
            return;
        }
        Tokeniser suppression = keys.tokeniser(KeyRing.SUPPRESSION);
        Set<String> tokens = new LinkedHashSet<>();
        for (Row row : chunk) {
            for (String identifier : IDENTIFIERS) {
                if (row.get(identifier) instanceof String value && !value.isBlank()) {
                    tokens.add(suppression.token(value));
                }
            }
        }
        if (tokens.isEmpty()) {
            return;
        }
        jdbc.update(con -> {
            var statement = con.prepareStatement(RECORD);
            statement.setString(1, batchId);
            statement.setString(2, suppression.keyId());
            statement.setArray(3, con.createArrayOf("text", tokens.toArray()));
            return statement;
        });
    }
}
