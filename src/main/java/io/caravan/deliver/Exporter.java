package io.caravan.deliver;

import io.caravan.audit.AuditTrail;
import io.caravan.connector.DataClass;
import io.caravan.consent.Purpose;
import io.caravan.consent.PurposeRegistry;
import io.caravan.consent.TokenConsent;
import io.caravan.error.FailureReasons;
import io.caravan.pseudonymise.FieldCipher;
import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.PartnerTokens;
import io.caravan.pseudonymise.Policy;
import io.caravan.pseudonymise.PolicyRegistry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs exports under sharing agreements ({@link AgreementRegistry}).
 *
 * <p><b>Contract.</b> Every run is one row of {@code caravan.export}, whatever happens:
 * {@code refused} with the reason when the agreement is missing, expired ({@code validUntil}
 * before today, UTC) or already running; otherwise {@code running}, then {@code completed} or
 * {@code failed} with a reason that names no value. A completed run has delivered, through the
 * agreement's transport ({@link ExportDelivery}), one file holding exactly the agreement's
 * columns in its order (CSV, formula-neutralised, or JSON) and then
 * {@code <file>.manifest.json} (row count, SHA-256 of the file, policy, key id, agreement, export
 * id, created at). A partner never sees a file under its final name before it is complete: it is
 * written under a temporary dot-name ({@code .<file>.part}) and renamed (on the partner's SFTP
 * server by the {@code sftp} producer's {@code tempFileName}); a run that fails removes its local
 * temporary files, and an upload cut off mid-file leaves at most the remote dot-name.
 *
 * <p><b>Consent at export time.</b> The rows are read in one {@code REPEATABLE READ} transaction,
 * streamed with a cursor (constant memory), each with {@link TokenConsent} evaluated for the
 * agreement's purpose on its warehouse {@code subject_token}; a row that does not pass is left
 * out and counted in {@code rows_consent_filtered}. A withdrawal recorded after a record entered
 * the warehouse therefore stops its next export.
 *
 * <p><b>Data classes at export time.</b> In the same query each row's {@code data_class} is checked
 * against the classes the agreement, its policy and its purpose allow together (an agreement that
 * names none allows every class but {@code third_party}); a row of another class is left out,
 * counted in {@code rows_class_filtered} and never logged as a disclosure.
 *
 * <p><b>Rows and decryption.</b> An agreement may export only the rows whose column holds one of
 * its values ({@code dataset.where}, e.g. the leads of the dealer the lead names), and may decrypt
 * {@code <field>_enc} columns (the {@code encrypt} action's AES-SIV ciphertext) for its partner
 * ({@code decrypt}): the values are decrypted only while the file is written, the file names the
 * column {@code <field>}, and the run is audited ({@code export_decryption}: agreement, partner,
 * purpose, columns, row count; never a value) before the file is delivered.
 *
 * <p><b>Partner tokens.</b> The warehouse holds only warehouse-domain tokens, so every exported
 * column named {@code *_token} is re-tokenised for the partner ({@link PartnerTokens}, the active
 * key of the policy's key domain); the manifest ({@link ExportManifest}) names that key's id. The
 * runs themselves are recorded by {@link ExportRuns}.
 *
 * <p><b>Export log.</b> In the same snapshot, the distinct warehouse {@code subject_token}s of the
 * exported rows are written to {@code caravan.export_log} and committed <em>before</em> the file
 * is renamed or sent, so a subject that reached a partner is always listed for erasure
 * notifications; if the run fails before the file reached its final name, those rows are removed.
 *
 * <p>Thread-safe: one run per agreement at a time; runs of different agreements may overlap.
 * Logs one line per run (ids, counts, reasons), never row content.
 */
public final class Exporter {
    private static final Logger LOG = LoggerFactory.getLogger(Exporter.class);
    private static final int FETCH_ROWS = 1000;
    private static final String SUBJECT = "subject_token";
    private static final String ENC = "_enc";
    /** The row's data class is one of those allowed (one bound parameter: the class ids as text[]). */
    private static final String CLASS_ALLOWED = "(t.data_class = ANY(?))";

    private final AgreementRegistry agreements;
    private final PolicyRegistry policies;
    private final PurposeRegistry purposes;
    private final KeyRing keys;
    private final DataSource dataSource;
    private final ExportRuns runs;
    private final Function<String, List<String>> columnsOf;
    private final Path sftpRoot;
    private final Path staging;
    private final CamelContext camel;
    private final Executor background;
    private final Clock clock;
    private final AuditTrail audit;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    /**
     * @param columnsOf  the columns of a warehouse table or view (see {@link WarehouseColumns})
     * @param sftpRoot   the gateway root holding {@code <partner>/outbox}
     * @param staging    where files for remote transports are written before they are sent
     * @param camel      for the {@code sftp} transport (may be null when no agreement uses it)
     * @param background runs exports started with {@link #start}
     * @param audit      records each run that decrypted columns for its partner ({@code export_decryption})
     */
    public Exporter(AgreementRegistry agreements, PolicyRegistry policies, PurposeRegistry purposes, KeyRing keys,
                    DataSource dataSource, Function<String, List<String>> columnsOf, Path sftpRoot, Path staging,
                    CamelContext camel, Executor background, Clock clock, AuditTrail audit) {
        this.agreements = Objects.requireNonNull(agreements, "agreements");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.purposes = Objects.requireNonNull(purposes, "purposes");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.runs = new ExportRuns(new JdbcTemplate(dataSource));
        this.audit = Objects.requireNonNull(audit, "audit");
        this.columnsOf = Objects.requireNonNull(columnsOf, "columnsOf");
        this.sftpRoot = Objects.requireNonNull(sftpRoot, "sftpRoot");
        this.staging = Objects.requireNonNull(staging, "staging");
        this.camel = camel;
        this.background = Objects.requireNonNull(background, "background");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The outcome of one run, as recorded in {@code caravan.export}. */
    public record Result(String exportId, String status, long rows, long consentFiltered, long classFiltered,
                         String fileName, String sha256, String reason) {
    }

    /** One row of {@code caravan.export}. */
    public record ExportRecord(String exportId, String partnerId, String agreementId, String dataset, String purpose,
                               String policyId, String keyId, String transport, String fileName, String format,
                               long rowsExported, long rowsConsentFiltered, long rowsClassFiltered, String sha256,
                               Instant startedAt,
                               Instant finishedAt, String status, String error) {
    }

    /** Recent exports, newest first; a null filter matches everything. */
    public List<ExportRecord> recent(String partnerId, String agreementId, String status, int limit) {
        return runs.recent(partnerId, agreementId, status, limit);
    }

    public AgreementRegistry agreements() {
        return agreements;
    }

    /** Runs an export of {@code agreementId} now, on the calling thread. */
    public Result run(String agreementId) {
        Prepared prepared = prepare(agreementId);
        return prepared.refusal() != null ? prepared.refusal() : execute(prepared);
    }

    /**
     * Records an export of {@code agreementId} (refused at once, or running) and runs it in the
     * background; returns its export id.
     */
    public String start(String agreementId) {
        Prepared prepared = prepare(agreementId);
        if (prepared.refusal() == null) {
            try {
                background.execute(() -> execute(prepared));
            } catch (RuntimeException e) {
                finishFailed(prepared, "could not be scheduled: " + e.getClass().getSimpleName(), false);
            }
        }
        return prepared.exportId();
    }

    // ---------------------------------------------------------------------------------------

    private record Prepared(String exportId, Agreement agreement, Instant startedAt, String fileName, Result refusal) {
    }

    private Prepared prepare(String agreementId) {
        Instant now = Instant.now(clock);
        String exportId = ExportRuns.newExportId(now);
        Optional<Agreement> found = agreements.find(agreementId);
        if (found.isEmpty()) {
            String reason = "no agreement '" + safe(agreementId) + "' in " + agreements.file().getFileName()
                    + ": nothing exported";
            return refuse(exportId, safe(agreementId), "(none)", "(none)", now, reason);
        }
        Agreement agreement = found.get();
        String dataset = agreement.table();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (!agreement.validOn(today)) {
            return refuse(exportId, agreement.id(), agreement.partner(), dataset, now,
                    "agreement " + agreement.id() + " expired on " + agreement.validUntil() + ": nothing exported");
        }
        if (!running.add(agreement.id())) {
            return refuse(exportId, agreement.id(), agreement.partner(), dataset, now,
                    "an export of agreement " + agreement.id() + " is already running");
        }
        String fileName = agreement.id() + "-" + exportId + "." + agreement.format().extension();
        try {
            runs.running(exportId, agreement, fileName, now);
        } catch (RuntimeException e) {
            running.remove(agreement.id());
            throw e;
        }
        return new Prepared(exportId, agreement, now, fileName, null);
    }

    private Prepared refuse(String exportId, String agreementId, String partner, String dataset, Instant now,
                            String reason) {
        runs.refused(exportId, agreementId, partner, dataset, now, reason);
        LOG.warn("export {} agreement={} refused: {}", exportId, agreementId, reason);
        return new Prepared(exportId, null, now, null,
                new Result(exportId, "refused", 0, 0, 0, null, null, reason));
    }

    private Result execute(Prepared prepared) {
        Agreement agreement = prepared.agreement();
        Path temp = null;
        Path manifest = null;
        boolean logged = false;
        boolean delivered = false;
        try {
            Policy policy = policies.find(agreement.policy())
                    .orElseThrow(() -> new ExportException("policy " + agreement.policy() + " no longer exists"));
            Purpose purpose = purposes.require(agreement.purpose());
            PartnerTokens partnerTokens = PartnerTokens.of(keys, policy);
            Set<String> classes = allowedClasses(agreement, policy, purpose);
            runs.keyId(prepared.exportId(), partnerTokens.keyId());
            ExportDelivery delivery = ExportDelivery.of(agreement, sftpRoot, camel);
            Path folder = delivery.stagingFolder(staging);
            Files.createDirectories(folder);
            temp = folder.resolve("." + prepared.fileName() + ".part");
            manifest = folder.resolve("." + prepared.fileName() + ".manifest.json.part");

            Counts counts;
            boolean hasSubject = columnsOf.apply(agreement.table()).contains(SUBJECT);
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                try {
                    counts = stream(connection, agreement, purpose, partnerTokens, hasSubject, classes, temp);
                    if (hasSubject) {
                        logSubjects(connection, agreement, purpose, classes, prepared);
                    }
                    ExportManifest.write(manifest, agreement, policy.id(), partnerTokens.keyId(), prepared.exportId(),
                            prepared.fileName(), counts.rows(), counts.sha256(), Instant.now(clock));
                    connection.commit();
                    logged = hasSubject;
                } catch (SQLException | IOException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            }
            if (!agreement.decrypt().isEmpty()) {
                // no audit, no file: the decryption for this partner is recorded before the file leaves
                Map<String, Object> detail = new java.util.LinkedHashMap<>();
                detail.put("agreement", agreement.id());
                detail.put("partner", agreement.partner());
                detail.put("purpose", agreement.purpose());
                detail.put("columns", agreement.decrypt());
                detail.put("rows", counts.rows());
                detail.put("fileName", prepared.fileName());
                audit.record("system:export", "export_decryption", prepared.exportId(), detail);
            }
            delivery.deliver(temp, prepared.fileName());
            delivered = true;
            delivery.deliver(manifest, prepared.fileName() + ".manifest.json");
            deleteQuietly(temp); // staged copies of remote deliveries; moved away already for the outbox
            deleteQuietly(manifest);
            runs.completed(prepared.exportId(), Instant.now(clock), counts.rows(), counts.filtered(), counts.classFiltered(),
                    counts.sha256());
            LOG.info("export {} agreement={} partner={} transport={} file={}: {} rows, {} consent-filtered, {} of a data class"
                    + " not allowed", prepared.exportId(), agreement.id(), agreement.partner(), agreement.transport().kind(),
                    prepared.fileName(), counts.rows(), counts.filtered(), counts.classFiltered());
            return new Result(prepared.exportId(), "completed", counts.rows(), counts.filtered(), counts.classFiltered(),
                    prepared.fileName(),
                    counts.sha256(), null);
        } catch (Exception e) {
            deleteQuietly(temp);
            deleteQuietly(manifest);
            return finishFailed(prepared, reason(e), logged && !delivered);
        } finally {
            running.remove(agreement.id());
        }
    }

    private record Counts(long rows, long filtered, long classFiltered, String sha256) {
    }

    private Counts stream(Connection connection, Agreement agreement, Purpose purpose, PartnerTokens partnerTokens,
                          boolean hasSubject, Set<String> classes, Path temp) throws SQLException, IOException {
        List<String> columns = agreement.columns();
        StringBuilder sql = new StringBuilder("SELECT ");
        for (String column : columns) {
            sql.append("t.").append(quote(column)).append(", ");
        }
        sql.append(hasSubject ? TokenConsent.permittedSql(purpose, "t." + quote(SUBJECT)) : "true")
                .append(", ").append(CLASS_ALLOWED)
                .append(" FROM caravan.").append(quote(agreement.table())).append(" t").append(where(agreement));
        boolean[] token = new boolean[columns.size()];
        String[] decrypted = new String[columns.size()]; // the field of a column decrypted for the partner
        List<String> header = new java.util.ArrayList<>(columns);
        for (int i = 0; i < token.length; i++) {
            token[i] = PartnerTokens.isTokenColumn(columns.get(i));
            if (agreement.decrypt().contains(columns.get(i))) {
                decrypted[i] = columns.get(i).substring(0, columns.get(i).length() - ENC.length());
                header.set(i, decrypted[i]);
            }
        }
        FieldCipher cipher = agreement.decrypt().isEmpty() ? null : keys.cipher();
        MessageDigest sha256 = sha256();
        long rows = 0;
        long filtered = 0;
        long classFiltered = 0;
        try (PreparedStatement ps = connection.prepareStatement(sql.toString(), ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(FETCH_ROWS);
            int parameter = 1;
            if (hasSubject) {
                ps.setString(parameter++, purpose.id());
            }
            ps.setArray(parameter++, connection.createArrayOf("text", classes.toArray()));
            bindWhere(connection, ps, parameter, agreement);
            try (ResultSet rs = ps.executeQuery();
                 OutputStream file = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16), sha256);
                 ExportFileWriter writer = ExportFileWriter.open(agreement.format(), file, header)) {
                Object[] values = new Object[columns.size()];
                while (rs.next()) {
                    if (!rs.getBoolean(columns.size() + 2)) {
                        classFiltered++;
                        continue;
                    }
                    if (!rs.getBoolean(columns.size() + 1)) {
                        filtered++;
                        continue;
                    }
                    for (int i = 0; i < values.length; i++) {
                        Object value = rs.getObject(i + 1);
                        if (decrypted[i] != null && value instanceof String ciphertext) {
                            value = cipher.decrypt(decrypted[i], ciphertext);
                        }
                        values[i] = token[i] && value instanceof String warehouseToken
                                ? partnerTokens.token(warehouseToken) : value;
                    }
                    writer.row(values);
                    rows++;
                }
            }
        }
        return new Counts(rows, filtered, classFiltered, HexFormat.of().formatHex(sha256.digest()));
    }

    /** {@code WHERE t.c = ANY(?) AND …} for the agreement's row filter ({@code dataset.where}); empty without one. */
    private static String where(Agreement agreement) {
        if (agreement.where().isEmpty()) {
            return "";
        }
        return " WHERE " + String.join(" AND ", agreement.where().keySet().stream()
                .map(column -> "t." + quote(column) + "::text = ANY(?)").toList());
    }

    private static void bindWhere(Connection connection, PreparedStatement ps, int first, Agreement agreement)
            throws SQLException {
        int parameter = first;
        for (List<String> values : agreement.where().values()) {
            ps.setArray(parameter++, connection.createArrayOf("text", values.toArray()));
        }
    }

    /** The data classes agreement, policy and purpose allow together (never empty: the registry checked it). */
    static Set<String> allowedClasses(Agreement agreement, Policy policy, Purpose purpose) {
        Set<DataClass> allowed = EnumSet.copyOf(agreement.dataClasses());
        allowed.retainAll(policy.dataClasses());
        allowed.retainAll(purpose.dataClasses());
        return DataClass.ids(allowed);
    }

    private void logSubjects(Connection connection, Agreement agreement, Purpose purpose, Set<String> classes,
                             Prepared prepared) throws SQLException {
        // the warehouse key of each subject token, so the re-key job can move the log with the rows
        String keyId = columnsOf.apply(agreement.table()).contains("key_id") ? "t.key_id" : "NULL::text";
        String sql = "INSERT INTO caravan.export_log (export_id, partner_id, agreement_id, subject_token, exported_at, key_id) "
                + "SELECT DISTINCT ?, ?, ?, t." + quote(SUBJECT) + ", ?, " + keyId + " FROM caravan."
                + quote(agreement.table()) + " t "
                + "WHERE t." + quote(SUBJECT) + " IS NOT NULL AND " + TokenConsent.permittedSql(purpose, "t." + quote(SUBJECT))
                + " AND " + CLASS_ALLOWED + where(agreement).replace(" WHERE ", " AND ");
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, prepared.exportId());
            ps.setString(2, agreement.partner());
            ps.setString(3, agreement.id());
            ps.setObject(4, ExportRuns.utc(Instant.now(clock)));
            ps.setString(5, purpose.id());
            ps.setArray(6, connection.createArrayOf("text", classes.toArray()));
            bindWhere(connection, ps, 7, agreement);
            ps.executeUpdate();
        }
    }

    /** Marks a run failed; {@code unlog}: its subjects were logged but the data file never reached the partner. */
    private Result finishFailed(Prepared prepared, String reason, boolean unlog) {
        try {
            runs.failed(prepared.exportId(), Instant.now(clock), reason, unlog);
        } catch (RuntimeException e) {
            LOG.error("export {} could not be marked failed: {}", prepared.exportId(), e.getClass().getSimpleName());
        }
        LOG.warn("export {} agreement={} failed: {}", prepared.exportId(), prepared.agreement().id(), reason);
        running.remove(prepared.agreement().id());
        return new Result(prepared.exportId(), "failed", 0, 0, 0, prepared.fileName(), null, reason);
    }

    private static String reason(Exception e) {
        if (e instanceof ExportException) {
            return e.getMessage();
        }
        if (e instanceof SQLException sql) {
            // SQLSTATE names the class of problem; PostgreSQL's message may quote a value
            return "database error while exporting (SQLSTATE " + sql.getSQLState() + ")";
        }
        return FailureReasons.of(e);
    }

    /** An identifier already validated against the warehouse's own names, double-quoted. */
    private static String quote(String identifier) {
        if (!identifier.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new ExportException("not a warehouse identifier");
        }
        return '"' + identifier + '"';
    }

    private static String safe(String id) {
        return id != null && id.matches("[A-Za-z0-9_-]{1,64}") ? id : "(invalid id)";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available");
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a stale .part file is harmless: it never carries a final name
        }
    }
}
