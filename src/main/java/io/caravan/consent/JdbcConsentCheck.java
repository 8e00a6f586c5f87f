package io.caravan.consent;

import io.caravan.pipeline.Disposition;
import io.caravan.pipeline.Row;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link ConsentCheck} against {@code caravan.suppression} and {@code caravan.consent_event}:
 * per chunk at most one suppression query and one latest-consent query, with bound parameters
 * (the tokens as one {@code text[]}).
 *
 * <p>The suppression list is looked up with the row's e-mail and phone tokenised in the
 * {@code suppression} key domain (every readable key of it), independent of the warehouse key.
 * The consent history is looked up with the subject tokenised by every readable {@code warehouse}
 * key, the active one first, so that during a key rotation (before the re-key job has moved the
 * history to the new key) a withdrawn subject is still recognised; the latest event is then the
 * latest across the subject's tokens. With one key per domain (the usual case) this is one
 * token per identifier. Event ids tie-break in byte order ({@code COLLATE "C"}), independent of
 * the database's locale. Thread-safe; logs nothing.
 */
final class JdbcConsentCheck implements ConsentCheck {
    static final String SUBJECT_FIELD = "_subject";
    private static final List<String> IDENTIFIERS = List.of("email", "phone");

    private static final String LATEST = """
            SELECT DISTINCT ON (subject_token) subject_token, status, captured_at, event_id
            FROM caravan.consent_event
            WHERE purpose = ? AND subject_token = ANY(?)
            ORDER BY subject_token, captured_at DESC, event_id COLLATE "C" DESC""";
    private static final Comparator<Latest> NEWEST = Comparator.comparing(Latest::capturedAt)
            .thenComparing(Latest::eventId);

    private final JdbcTemplate jdbc;
    private final KeyRing keys;

    public JdbcConsentCheck(DataSource dataSource, KeyRing keys) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    @Override
    public void check(Purpose purpose, List<Row> chunk) {
        List<Tokeniser> warehouseKeys = keys.readable(KeyRing.WAREHOUSE);
        List<Tokeniser> suppressionKeys = keys.readable(KeyRing.SUPPRESSION);
        List<Identity> identities = new ArrayList<>();
        Set<String> allTokens = new HashSet<>();
        for (Row row : chunk) {
            if (!row.isPending()) {
                continue;
            }
            Identity identity = identify(row, warehouseKeys, suppressionKeys);
            if (identity != null) {
                identities.add(identity);
                allTokens.addAll(identity.tokens());
            }
        }
        if (identities.isEmpty()) {
            return;
        }
        Set<String> suppressed = new HashSet<>(SuppressionList.onList(jdbc, allTokens));
        List<Identity> subjects = new ArrayList<>();
        Set<String> subjectTokens = new HashSet<>();
        for (Identity identity : identities) {
            if (identity.tokens().stream().anyMatch(suppressed::contains)) {
                identity.row().dispose(Disposition.SUPPRESSED);
            } else if (!identity.subjectTokens().isEmpty()) {
                subjects.add(identity);
                subjectTokens.addAll(identity.subjectTokens());
            }
        }
        if (subjects.isEmpty()) {
            return;
        }
        Map<String, Latest> latest = new HashMap<>();
        jdbc.query(con -> {
            PreparedStatement statement = con.prepareStatement(LATEST);
            statement.setString(1, purpose.id());
            return withTokens(statement, 2, subjectTokens);
        }, (ResultSet rs) -> {
            latest.put(rs.getString(1), new Latest(ConsentStatus.fromDb(rs.getString(2)),
                    rs.getTimestamp(3).toInstant(), rs.getString(4)));
        });
        for (Identity identity : subjects) {
            Latest newest = identity.subjectTokens().stream().map(latest::get).filter(Objects::nonNull)
                    .max(NEWEST).orElse(null);
            if (!purpose.permits(newest == null ? null : newest.status())) {
                identity.row().dispose(Disposition.CONSENT_FILTERED);
            }
        }
    }

    @Override
    public Set<String> permittedTokens(Purpose purpose, Collection<String> subjectTokens) {
        Objects.requireNonNull(purpose, "purpose");
        Set<String> tokens = new LinkedHashSet<>();
        for (String token : subjectTokens) {
            if (token != null) {
                tokens.add(token);
            }
        }
        if (tokens.isEmpty()) {
            return Set.of();
        }
        Map<String, ConsentStatus> latest = new HashMap<>();
        jdbc.query(con -> {
            PreparedStatement statement = con.prepareStatement(LATEST);
            statement.setString(1, purpose.id());
            return withTokens(statement, 2, tokens);
        }, (ResultSet rs) -> {
            latest.put(rs.getString(1), ConsentStatus.fromDb(rs.getString(2)));
        });
        Set<String> permitted = new LinkedHashSet<>();
        for (String token : tokens) {
            if (purpose.permits(latest.get(token))) {
                permitted.add(token);
            }
        }
        return permitted;
    }

    /**
     * The row's suppression tokens (e-mail and phone under every readable suppression key) and
     * subject tokens (under every readable warehouse key); null when it has no identifier.
     */
    private static Identity identify(Row row, List<Tokeniser> warehouseKeys, List<Tokeniser> suppressionKeys) {
        Map<String, Object> fields = row.fields();
        String subject = fields.get(SUBJECT_FIELD) instanceof String field && fields.get(field) instanceof String value
                ? value : null;
        Set<String> tokens = new LinkedHashSet<>();
        for (String identifier : IDENTIFIERS) {
            if (fields.get(identifier) instanceof String value) {
                for (Tokeniser key : suppressionKeys) {
                    tokens.add(key.token(value));
                }
            }
        }
        List<String> subjectTokens = new ArrayList<>(warehouseKeys.size());
        if (subject != null) {
            for (Tokeniser key : warehouseKeys) {
                subjectTokens.add(key.token(subject));
            }
            row.subjectToken(subjectTokens.get(0));
        }
        return tokens.isEmpty() && subjectTokens.isEmpty() ? null : new Identity(row, tokens, subjectTokens);
    }

    private static PreparedStatement withTokens(PreparedStatement statement, int index, Collection<String> tokens)
            throws SQLException {
        statement.setArray(index, statement.getConnection().createArrayOf("text", tokens.toArray()));
        return statement;
    }

    private record Identity(Row row, Set<String> tokens, List<String> subjectTokens) {
    }

    private record Latest(ConsentStatus status, Instant capturedAt, String eventId) {
    }
}
