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
    private static final String ENC = "_enc";

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
    private final List<ExportAttachment> attachments;
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
        this(agreements, policies, purposes, keys, dataSource, columnsOf, sftpRoot, staging, camel, background, clock, audit,
                List.of());
    }

    /** @param attachments files written beside every export, delivered between the data file and the manifest */
    public Exporter(AgreementRegistry agreements, PolicyRegistry policies, PurposeRegistry purposes, KeyRing keys,
                    DataSource dataSource, Function<String, List<String>> columnsOf, Path sftpRoot, Path staging,
                    CamelContext camel, Executor background, Clock clock, AuditTrail audit,
                    List<ExportAttachment> attachments) {
        this.attachments = List.copyOf(attachments);
        this.audit = Objects.requireNonNull(audit, "audit");
        this.agreements = Objects.requireNonNull(agreements, "agreements");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.purposes = Objects.requireNonNull(purposes, "purposes");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.runs = new ExportRuns(new JdbcTemplate(dataSource));
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
        if (agreement.activation() != null) {
            return executeActivation(prepared);
        }
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
            ExportQuery query = new ExportQuery(agreement, purpose, columnsOf.apply(agreement.table()));
            boolean hasSubject = query.hasSubject();
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                try {
                    counts = stream(connection, agreement, query, partnerTokens, classes, temp);
                    if (hasSubject) {
                        logSubjects(connection, query, agreement, classes, prepared);
                    }
                    ExportManifest.write(manifest, agreement, policy.id(), partnerTokens.keyId(), prepared.exportId(),
                            prepared.fileName(), counts.rows(), counts.sha256(), Instant.now(clock), counts.gate());
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
            for (ExportAttachment attachment : attachments) {
                Path extra = folder.resolve("." + prepared.fileName() + attachment.suffix() + ".part");
                try {
                    Files.write(extra, attachment.content(agreement));
                    delivery.deliver(extra, prepared.fileName() + attachment.suffix());
                } finally {
                    deleteQuietly(extra);
                }
            }
            delivery.deliver(manifest, prepared.fileName() + ".manifest.json");
            deleteQuietly(temp); // staged copies of remote deliveries; moved away already for the outbox
            deleteQuietly(manifest);
            if (counts.gate() != null) {
                runs.kAnonymity(prepared.exportId(), counts.gate());
            }
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

    /**
     * An activation: the segment's permitted subjects are counted first and the run is refused,
     * with nothing written, when they are fewer than the agreement's minimum audience; otherwise the
     * upload file is written ({@link AudienceFile}) and its subjects logged in one
     * {@code REPEATABLE READ} transaction, refused again (file deleted, log rolled back) when fewer
     * subjects than the minimum had a usable identifier, and delivered like any export.
     */
    private Result executeActivation(Prepared prepared) {
        Agreement agreement = prepared.agreement();
        Activation activation = agreement.activation();
        Path temp = null;
        Path manifest = null;
        boolean delivered = false;
        boolean logged = false;
        try {
            Purpose purpose = purposes.require(agreement.purpose());
            ExportDelivery delivery = ExportDelivery.of(agreement, sftpRoot, camel);
            Path folder = delivery.stagingFolder(staging);
            Files.createDirectories(folder);
            temp = folder.resolve("." + prepared.fileName() + ".part");
            manifest = folder.resolve("." + prepared.fileName() + ".manifest.json.part");
            AudienceSegment segment = new AudienceSegment(activation.segment(), purpose,
                    columnsOf.apply(activation.segment().table()));
            Instant now = Instant.now(clock);
            AudienceFile.Written written;
            long filtered;
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                try {
                    long[] counted = segment.count(connection, now);
                    filtered = counted[1];
                    if (counted[0] < activation.minimumAudience()) {
                        connection.rollback();
                        return refuseRunning(prepared, "audience of " + counted[0] + " consented subjects is below the minimum of "
                                + activation.minimumAudience() + " for " + activation.platform().id() + ": nothing exported");
                    }
                    written = AudienceFile.write(connection, segment, activation, keys.identitySeal(), temp,
                            prepared.exportId(), agreement.partner(), agreement.id(), now);
                    if (written.subjects() < activation.minimumAudience()) {
                        connection.rollback();
                        deleteQuietly(temp);
                        return refuseRunning(prepared, "audience of " + written.subjects() + " subjects with a usable "
                                + String.join(" or ", activation.identifiers()) + " is below the minimum of "
                                + activation.minimumAudience() + " for " + activation.platform().id() + ": nothing exported");
                    }
                    ExportManifest.writeActivation(manifest, agreement, prepared.exportId(), prepared.fileName(),
                            written.subjects(), written.withoutIdentifier(), filtered, written.sha256(), Instant.now(clock));
                    connection.commit();
                    logged = true;
                } catch (SQLException | IOException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            }
            delivery.deliver(temp, prepared.fileName());
            delivered = true;
            delivery.deliver(manifest, prepared.fileName() + ".manifest.json");
            deleteQuietly(temp);
            deleteQuietly(manifest);
            runs.completed(prepared.exportId(), Instant.now(clock), written.subjects(), filtered, 0, written.sha256());
            LOG.info("export {} activation={} platform={} transport={} file={}: {} subjects, {} consent-filtered, "
                            + "{} without a usable identifier", prepared.exportId(), agreement.id(),
                    activation.platform().id(), agreement.transport().kind(), prepared.fileName(), written.subjects(),
                    filtered, written.withoutIdentifier());
            return new Result(prepared.exportId(), "completed", written.subjects(), filtered, 0, prepared.fileName(),
                    written.sha256(), null);
        } catch (Exception e) {
            deleteQuietly(temp);
            deleteQuietly(manifest);
            return finishFailed(prepared, reason(e), logged && !delivered);
        } finally {
            running.remove(agreement.id());
        }
    }

    private Result refuseRunning(Prepared prepared, String reason) {
        runs.refusedRunning(prepared.exportId(), Instant.now(clock), reason);
        LOG.warn("export {} agreement={} refused: {}", prepared.exportId(), prepared.agreement().id(), reason);
        return new Result(prepared.exportId(), "refused", 0, 0, 0, null, null, reason);
    }

    private record Counts(long rows, long filtered, long classFiltered, String sha256, KAnonymity.Outcome gate) {
    }

    private Counts stream(Connection connection, Agreement agreement, ExportQuery query, PartnerTokens partnerTokens,
                          Set<String> classes, Path temp) throws SQLException, IOException {
        List<String> columns = agreement.columns();
        KAnonymity gate = agreement.kAnonymity();
        boolean[] token = new boolean[columns.size()];
        int[] generalisedAt = new int[columns.size()];
        int n = columns.size();
        String[] decrypted = new String[n]; // the field of a column decrypted for the partner
        List<String> header = new java.util.ArrayList<>(columns);
        for (int i = 0; i < token.length; i++) {
            token[i] = PartnerTokens.isTokenColumn(columns.get(i));
            if (agreement.decrypt().contains(columns.get(i))) {
                decrypted[i] = columns.get(i).substring(0, columns.get(i).length() - ENC.length());
                header.set(i, decrypted[i]);
            }
            generalisedAt[i] = gate == null ? -1 : gate.generalise().indexOf(columns.get(i));
            if (generalisedAt[i] >= 0) {
                generalisedAt[i] += n + 5; // after the columns, permitted, class allowed, generalised and group (1-based)
            }
        }
        FieldCipher cipher = agreement.decrypt().isEmpty() ? null : keys.cipher();
        MessageDigest sha256 = sha256();
        long rows = 0;
        long filtered = 0;
        long classFiltered = 0;
        long generalised = 0;
        long suppressed = 0;
        long smallest = Long.MAX_VALUE;
        try (PreparedStatement ps = connection.prepareStatement(query.rows(), ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(FETCH_ROWS);
            query.bind(connection, ps, 1, classes);
            try (ResultSet rs = ps.executeQuery();
                 OutputStream file = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16), sha256);
                 ExportFileWriter writer = ExportFileWriter.open(agreement.format(), file, header)) {
                Object[] values = new Object[n];
                while (rs.next()) {
                    if (!rs.getBoolean(n + 2)) {
                        classFiltered++;
                        continue;
                    }
                    if (!rs.getBoolean(n + 1)) {
                        filtered++;
                        continue;
                    }
                    boolean rowGeneralised = false;
                    if (gate != null) {
                        long group = rs.getLong(n + 4);
                        if (group < gate.k()) {
                            suppressed++;
                            continue;
                        }
                        smallest = Math.min(smallest, group);
                        rowGeneralised = rs.getBoolean(n + 3);
                    }
                    for (int i = 0; i < values.length; i++) {
                        Object value = rowGeneralised && generalisedAt[i] > 0 && rs.getObject(generalisedAt[i]) != null
                                ? rs.getString(generalisedAt[i]) : rs.getObject(i + 1);
                        if (decrypted[i] != null && value instanceof String ciphertext) {
                            value = cipher.decrypt(decrypted[i], ciphertext);
                        }
                        values[i] = token[i] && value instanceof String warehouseToken
                                ? partnerTokens.token(warehouseToken) : value;
                    }
                    writer.row(values);
                    rows++;
                    if (rowGeneralised) {
                        generalised++;
                    }
                }
            }
        }
        KAnonymity.Outcome outcome = gate == null ? null
                : new KAnonymity.Outcome(gate.k(), generalised, suppressed, rows == 0 ? null : smallest);
        return new Counts(rows, filtered, classFiltered, HexFormat.of().formatHex(sha256.digest()), outcome);
    }

    /** The data classes agreement, policy and purpose allow together (never empty: the registry checked it). */
    static Set<String> allowedClasses(Agreement agreement, Policy policy, Purpose purpose) {
        Set<DataClass> allowed = EnumSet.copyOf(agreement.dataClasses());
        allowed.retainAll(policy.dataClasses());
        allowed.retainAll(purpose.dataClasses());
        return DataClass.ids(allowed);
    }

    private void logSubjects(Connection connection, ExportQuery query, Agreement agreement, Set<String> classes,
                             Prepared prepared) throws SQLException {
        // with the warehouse key of each subject token, so the re-key job can move the log with the rows
        try (PreparedStatement ps = connection.prepareStatement(query.exportLog())) {
            ps.setString(1, prepared.exportId());
            ps.setString(2, agreement.partner());
            ps.setString(3, agreement.id());
            ps.setObject(4, ExportRuns.utc(Instant.now(clock)));
            query.bind(connection, ps, 5, classes);
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
