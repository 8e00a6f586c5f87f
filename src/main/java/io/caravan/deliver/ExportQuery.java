package io.caravan.deliver;

import io.caravan.consent.Purpose;
import io.caravan.consent.TokenConsent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The SQL of one export under an agreement, built only from names the warehouse itself reports
 * (validated by {@link AgreementRegistry}, quoted here) and with exactly one bound parameter, the
 * purpose id, so no text of a configuration file reaches the statement except checked identifiers.
 *
 * <p>The select list is the agreement's columns in order, then {@code caravan_permitted} (consent
 * at export time, {@link TokenConsent}); with a {@link KAnonymity} gate also
 * {@code caravan_generalised}, {@code caravan_group} (the size of the row's group of
 * quasi-identifiers among the permitted rows, after generalisation) and one
 * {@code caravan_gq_<column>} per generalisable column (its generalised text). The group sizes are
 * window counts over the whole dataset, computed by PostgreSQL before the first row is returned, so
 * the caller can stream and still never write a row of a small group. Stateless.
 */
final class ExportQuery {
    static final String PERMITTED = "caravan_permitted";
    static final String GENERALISED = "caravan_generalised";
    static final String GROUP = "caravan_group";
    private static final String SUBJECT = "subject_token";

    private final Agreement agreement;
    private final Purpose purpose;
    private final boolean hasSubject;
    private final boolean hasKeyId;

    ExportQuery(Agreement agreement, Purpose purpose, List<String> tableColumns) {
        this.agreement = agreement;
        this.purpose = purpose;
        this.hasSubject = tableColumns.contains(SUBJECT);
        this.hasKeyId = tableColumns.contains("key_id");
    }

    /** The export's rows: the agreement's columns, then the gate's columns described above; one parameter, the purpose. */
    String rows() {
        KAnonymity gate = agreement.kAnonymity();
        if (gate == null) {
            StringBuilder sql = new StringBuilder("SELECT ");
            for (String column : agreement.columns()) {
                sql.append("t.").append(quote(column)).append(", ");
            }
            return sql.append(permitted("t")).append(" AS ").append(PERMITTED)
                    .append(" FROM caravan.").append(quote(agreement.table())).append(" t").toString();
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (String column : agreement.columns()) {
            sql.append("f.").append(quote(column)).append(", ");
        }
        sql.append("f.").append(PERMITTED).append(", f.").append(GENERALISED).append(", f.").append(GROUP);
        for (String column : gate.generalise()) {
            sql.append(", f.").append(generalisedName(column));
        }
        return sql.append(" FROM (").append(gated()).append(") f").toString();
    }

    /**
     * The distinct warehouse subject tokens (and their key ids) of the rows {@link #rows()} sends:
     * permitted and, under a gate, in a group of at least k. Parameters: export id, partner,
     * agreement, exported at, purpose.
     */
    String exportLog() {
        KAnonymity gate = agreement.kAnonymity();
        String keyId = hasKeyId ? "f.key_id" : "NULL::text";
        String source = gate == null ? base() : gated();
        return "INSERT INTO caravan.export_log (export_id, partner_id, agreement_id, subject_token, exported_at, key_id) "
                + "SELECT DISTINCT ?, ?, ?, f." + quote(SUBJECT) + ", ?, " + keyId + " FROM (" + source + ") f "
                + "WHERE f." + quote(SUBJECT) + " IS NOT NULL AND f." + PERMITTED
                + (gate == null ? "" : " AND f." + GROUP + " >= " + gate.k());
    }

    boolean hasSubject() {
        return hasSubject;
    }

    static String generalisedName(String column) {
        return "caravan_gq_" + column;
    }

    // ---------------------------------------------------------------------------------------

    /** The dataset's needed columns and consent; one parameter. */
    private String base() {
        Set<String> columns = new LinkedHashSet<>(agreement.columns());
        if (hasSubject) {
            columns.add(SUBJECT);
        }
        if (hasKeyId) {
            columns.add("key_id");
        }
        List<String> select = new ArrayList<>();
        for (String column : columns) {
            select.add("t." + quote(column));
        }
        select.add(permitted("t") + " AS " + PERMITTED);
        return "SELECT " + String.join(", ", select) + " FROM caravan." + quote(agreement.table()) + " t";
    }

    /** {@link #base()} with the k-anonymity columns, computed over every row before the first is returned. */
    private String gated() {
        KAnonymity gate = agreement.kAnonymity();
        List<String> exact = new ArrayList<>();
        for (String column : gate.quasiIdentifiers()) {
            exact.add("a." + quote(column));
        }
        String counted = "SELECT a.*, count(*) OVER (PARTITION BY a." + PERMITTED + ", " + String.join(", ", exact)
                + ") AS caravan_n1 FROM (" + base() + ") a";
        String small = "(b." + PERMITTED + " AND b.caravan_n1 < " + gate.k() + ")";
        StringBuilder generalised = new StringBuilder("SELECT b.*, ").append(small).append(" AS ").append(GENERALISED);
        List<String> regrouped = new ArrayList<>();
        for (String column : gate.quasiIdentifiers()) {
            String ref = "b." + quote(column);
            if (gate.generalise().contains(column)) {
                String step = KAnonymity.STEPS.get(column).formatted(ref);
                generalised.append(", CASE WHEN ").append(small).append(" AND ").append(ref).append(" IS NOT NULL THEN ")
                        .append(step).append(" END AS ").append(generalisedName(column));
                regrouped.add("COALESCE(g." + generalisedName(column) + ", g." + quote(column) + "::text)");
            } else {
                regrouped.add("g." + quote(column));
            }
        }
        generalised.append(" FROM (").append(counted).append(") b");
        return "SELECT g.*, count(*) OVER (PARTITION BY g." + PERMITTED + ", g." + GENERALISED + ", "
                + String.join(", ", regrouped) + ") AS " + GROUP + " FROM (" + generalised + ") g";
    }

    private String permitted(String alias) {
        return hasSubject ? TokenConsent.permittedSql(purpose, alias + "." + quote(SUBJECT)) : "true";
    }

    /** An identifier already validated against the warehouse's own names, double-quoted. */
    static String quote(String identifier) {
        if (!identifier.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new ExportException("not a warehouse identifier");
        }
        return '"' + identifier + '"';
    }
}
