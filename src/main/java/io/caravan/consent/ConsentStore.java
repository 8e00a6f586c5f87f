package io.caravan.consent;

import java.sql.Timestamp;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Appends to the consent history ({@code caravan.consent_event}); events are never updated or
 * deleted here. Input is tokenised by construction ({@link ConsentEvent} only accepts tokens).
 * Thread-safe. Logs nothing.
 */
public final class ConsentStore {
    private static final String INSERT = """
            INSERT INTO caravan.consent_event
                (event_id, subject_token, purpose, status, basis, captured_at, source, key_id, sealed_identifier)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (event_id) DO NOTHING""";

    private final JdbcTemplate jdbc;
    private final PurposeRegistry purposes;

    public ConsentStore(DataSource dataSource, PurposeRegistry purposes) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.purposes = Objects.requireNonNull(purposes, "purposes");
    }

    /**
     * Appends an event (committed on return, in the caller's transaction if there is one).
     *
     * @return true if it was new; false if an event with its id was already recorded (a redelivery)
     * @throws IllegalArgumentException if its purpose is not configured
     */
    public boolean record(ConsentEvent event) {
        purposes.require(event.purpose());
        return jdbc.update(INSERT, event.eventId(), event.subjectToken(), event.purpose(), event.status().dbName(),
                event.basis().dbName(), Timestamp.from(event.capturedAt()), event.source(), event.keyId(),
                event.sealedIdentifier()) == 1;
    }
}
