package io.caravan.consent;

/**
 * Consent keyed by a warehouse-domain subject token, for data that is already in the warehouse
 * (exports under sharing agreements): the same rule as {@link ConsentCheck}, evaluated by
 * PostgreSQL as a boolean SQL expression so that a whole table can be filtered in one streamed
 * query, in constant memory.
 *
 * <p>For a token column {@code t}: a null token (no subject) passes; otherwise the subject's
 * latest event for the purpose
 * (greatest {@code captured_at}, ties to the greatest {@code event_id} in byte order) decides as
 * {@link Purpose#permits} does: {@code consent} needs {@code granted}, {@code legitimate_interest}
 * fails only on {@code withdrawn}. Because this is evaluated when the query runs, a withdrawal
 * recorded after a record entered the warehouse stops the next export of that record.
 *
 * <p>This is the SQL form of the rule that {@link ConsentCheck#permittedTokens} applies in Java to
 * a set of tokens a caller holds; both read the same tables as {@link JdbcConsentCheck}, and
 * {@code ConsentCheckIT} and {@code ExporterIT} hold them to the same outcomes. Tokens are compared
 * as stored: warehouse rows and consent events made under the same warehouse key match. The
 * suppression list is not consulted (see {@link ConsentCheck#permittedTokens}). Stateless.
 */
public final class TokenConsent {
    private TokenConsent() {
    }

    /**
     * A boolean SQL expression over {@code tokenColumn} (an already validated column reference,
     * e.g. {@code t."subject_token"}) with one bound parameter: the purpose id
     * ({@link Purpose#id()}).
     */
    public static String permittedSql(Purpose purpose, String tokenColumn) {
        String latest = "(SELECT e.status FROM caravan.consent_event e WHERE e.purpose = ? AND e.subject_token = "
                + tokenColumn + " ORDER BY e.captured_at DESC, e.event_id COLLATE \"C\" DESC LIMIT 1)";
        String basis = switch (purpose.basis()) {
            case CONSENT -> "COALESCE(" + latest + " = 'granted', false)";
            case LEGITIMATE_INTEREST -> "COALESCE(" + latest + " <> 'withdrawn', true)";
            case CONTRACT -> throw new IllegalArgumentException("contract is not a basis a purpose filters by");
        };
        return "(" + tokenColumn + " IS NULL OR " + basis + ")";
    }
}
