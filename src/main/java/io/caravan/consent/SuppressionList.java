package io.caravan.consent;

import java.util.Collection;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The one query of the suppression list, {@code caravan.suppression}: which of some
 * {@code suppression}-domain tokens are on it. One statement with one bound array; the caller
 * bounds the number of tokens. Stateless; logs nothing.
 */
final class SuppressionList {
    private static final String SUPPRESSED = "SELECT token FROM caravan.suppression WHERE token = ANY(?)";

    private SuppressionList() {
    }

    /** The tokens among {@code tokens} that are on the list. */
    static List<String> onList(JdbcTemplate jdbc, Collection<String> tokens) {
        return jdbc.query(con -> {
            var statement = con.prepareStatement(SUPPRESSED);
            statement.setArray(1, con.createArrayOf("text", tokens.toArray()));
            return statement;
        }, (rs, n) -> rs.getString(1));
    }
}
