package io.caravan.deliver;

import io.caravan.consent.Purpose;
import io.caravan.consent.TokenConsent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The SQL of one export under an agreement, built only from names the warehouse itself reports
 * (validated by {@link AgreementRegistry}, quoted here); every value is a bound parameter
 * ({@link #bind}: the purpose id, the allowed data classes, the agreement's row filter), so no text
 * of a configuration file reaches the statement except checked identifiers.
 *
 * <p>The select list is the agreement's columns in order, then {@code caravan_permitted} (consent
 * at export time, {@link TokenConsent}) and {@code caravan_class_allowed} (the row's
 * {@code data_class} is one the agreement, policy and purpose allow); the agreement's
 * {@code dataset.where} filter narrows the rows. With a {@link KAnonymity} gate also
 * {@code caravan_generalised}, {@code caravan_group} (the size of the row's group of
 * quasi-identifiers among the permitted rows of an allowed class, after generalisation) and one
 * {@code caravan_gq_<column>} per generalisable column (its generalised text). The group sizes are
 * window counts over the whole dataset, computed by PostgreSQL before the first row is returned, so
 * the caller can stream and still never write a row of a small group. Stateless.
 */
final class ExportQuery {
    static final String PERMITTED = "caravan_permitted";
    static final String CLASS_ALLOWED = "caravan_class_allowed";
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

    /** The export's rows: the agreement's columns, permitted, class allowed, then the gate's columns described above. */
    String rows() {
        KAnonymity gate = agreement.kAnonymity();
        if (gate == null) {
            StringBuilder sql = new StringBuilder("SELECT ");
            for (String column : agreement.columns()) {
                sql.append("t.").append(quote(column)).append(", ");
            }
            return sql.append(permitted("t")).append(" AS ").append(PERMITTED).append(", ").append(classAllowed("t"))
                    .append(" FROM caravan.").append(quote(agreement.table())).append(" t").append(where()).toString();
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (String column : agreement.columns()) {
            sql.append("f.").append(quote(column)).append(", ");
        }
        sql.append("f.").append(PERMITTED).append(", f.").append(CLASS_ALLOWED).append(", f.").append(GENERALISED)
                .append(", f.").append(GROUP);
        for (String column : gate.generalise()) {
            sql.append(", f.").append(generalisedName(column));
        }
        return sql.append(" FROM (").append(gated()).append(") f").toString();
    }

    /**
     * The distinct warehouse subject tokens (and their key ids) of the rows {@link #rows()} sends:
     * permitted, of an allowed class and, under a gate, in a group of at least k. Parameters: export
     * id, partner, agreement, exported at, then those of {@link #bind} from the fifth on.
     */
    String exportLog() {
        KAnonymity gate = agreement.kAnonymity();
        String keyId = hasKeyId ? "f.key_id" : "NULL::text";
        String source = gate == null ? base() : gated();
        return "INSERT INTO caravan.export_log (export_id, partner_id, agreement_id, subject_token, exported_at, key_id) "
                + "SELECT DISTINCT ?, ?, ?, f." + quote(SUBJECT) + ", ?, " + keyId + " FROM (" + source + ") f "
                + "WHERE f." + quote(SUBJECT) + " IS NOT NULL AND f." + PERMITTED + " AND f." + CLASS_ALLOWED
                + (gate == null ? "" : " AND f." + GROUP + " >= " + gate.k());
    }

    boolean hasSubject() {
        return hasSubject;
    }

    /**
     * Binds the values of {@link #rows()} (or of the sub-select of {@link #exportLog()}) from
     * parameter {@code first} on: the purpose id (when the dataset has subjects), the allowed data
     * classes as {@code text[]}, one {@code text[]} per column of the agreement's row filter.
     */
    void bind(Connection connection, PreparedStatement ps, int first, Set<String> classes) throws SQLException {
        int parameter = first;
        if (hasSubject) {
            ps.setString(parameter++, purpose.id());
        }
        ps.setArray(parameter++, connection.createArrayOf("text", classes.toArray()));
        for (List<String> values : agreement.where().values()) {
            ps.setArray(parameter++, connection.createArrayOf("text", values.toArray()));
        }
    }

    static String generalisedName(String column) {
        return "caravan_gq_" + column;
    }

    // ---------------------------------------------------------------------------------------

    /** The dataset's needed columns, consent and class, under the agreement's row filter. */
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
        select.add(classAllowed("t"));
        return "SELECT " + String.join(", ", select) + " FROM caravan." + quote(agreement.table()) + " t" + where();
    }

    /** {@link #base()} with the k-anonymity columns, computed over every row before the first is returned. */
    private String gated() {
        KAnonymity gate = agreement.kAnonymity();
        List<String> exact = new ArrayList<>();
        for (String column : gate.quasiIdentifiers()) {
            exact.add("a." + quote(column));
        }
        String counted = "SELECT a.*, count(*) OVER (PARTITION BY a." + PERMITTED + ", a." + CLASS_ALLOWED + ", "
                + String.join(", ", exact)
                + ") AS caravan_n1 FROM (" + base() + ") a";
        String small = "(b." + PERMITTED + " AND b." + CLASS_ALLOWED + " AND b.caravan_n1 < " + gate.k() + ")";
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
        return "SELECT g.*, count(*) OVER (PARTITION BY g." + PERMITTED + ", g." + CLASS_ALLOWED + ", g." + GENERALISED + ", "
                + String.join(", ", regrouped) + ") AS " + GROUP + " FROM (" + generalised + ") g";
    }

    /** The row's data class is one of those allowed (one parameter: the class ids as text[]). */
    private static String classAllowed(String alias) {
        return "(" + alias + ".data_class = ANY(?)) AS " + CLASS_ALLOWED;
    }

    /** {@code WHERE t.c::text = ANY(?) AND …} for the agreement's row filter ({@code dataset.where}); empty without one. */
    private String where() {
        if (agreement.where().isEmpty()) {
            return "";
        }
        return " WHERE " + String.join(" AND ", agreement.where().keySet().stream()
                .map(column -> "t." + quote(column) + "::text = ANY(?)").toList());
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
