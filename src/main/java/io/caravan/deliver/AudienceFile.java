package io.caravan.deliver;

import io.caravan.pseudonymise.IdentitySeal;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes an activation's upload file: one line per permitted subject of the segment, the
 * platform's header ({@link AudiencePlatform#header()}, restricted to the agreement's
 * identifiers), each cell the SHA-256 hex of the platform-normalised identifier or empty. The
 * identifiers are unsealed from the identity vault ({@link IdentitySeal}) here, one subject at a
 * time, and exist only in this method's locals: never logged, never in an exception message, never
 * stored. Each subject written is added to {@code caravan.export_log} (by warehouse token) in the
 * caller's transaction. Not thread-safe; one instance per run.
 */
final class AudienceFile {
    private static final int FETCH_ROWS = 1000;
    private static final int LOG_BATCH = 1000;

    /** What a run wrote: subjects written, subjects left out for lack of a usable identifier, the file's SHA-256. */
    record Written(long subjects, long withoutIdentifier, String sha256) {
    }

    private AudienceFile() {
    }

    static Written write(Connection connection, AudienceSegment segment, Activation activation, IdentitySeal seal,
                         Path temp, String exportId, String partner, String agreementId, Instant now)
            throws SQLException, IOException {
        AudiencePlatform platform = activation.platform();
        boolean email = activation.identifiers().contains("email");
        boolean phone = activation.identifiers().contains("phone");
        MessageDigest sha256 = sha256();
        long subjects = 0;
        long without = 0;
        String log = "INSERT INTO caravan.export_log (export_id, partner_id, agreement_id, subject_token, exported_at, "
                + "key_id) VALUES (?, ?, ?, ?, ?, ?)";
        try (PreparedStatement rows = segment.subjects(connection, now, FETCH_ROWS);
             ResultSet rs = rows.executeQuery();
             PreparedStatement logged = connection.prepareStatement(log);
             OutputStream file = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16), sha256);
             Writer out = new BufferedWriter(new OutputStreamWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            List<String> header = platform.header();
            out.write(email && phone ? header.get(0) + "," + header.get(1) : email ? header.get(0) : header.get(1));
            out.write("\r\n");
            int pending = 0;
            while (rs.next()) {
                Map<String, String> identifiers;
                try {
                    identifiers = seal.open(rs.getString(3));
                } catch (IllegalArgumentException e) {
                    without++;
                    continue;
                }
                String emailHash = email ? hash(identifiers.get("email_token"), platform::email) : null;
                String phoneHash = phone ? hash(identifiers.get("phone_token"), platform::phone) : null;
                if (emailHash == null && phoneHash == null) {
                    without++;
                    continue;
                }
                if (email && phone) {
                    out.write(emailHash == null ? "" : emailHash);
                    out.write(',');
                    out.write(phoneHash == null ? "" : phoneHash);
                } else {
                    out.write(email ? emailHash : phoneHash);
                }
                out.write("\r\n");
                subjects++;
                logged.setString(1, exportId);
                logged.setString(2, partner);
                logged.setString(3, agreementId);
                logged.setString(4, rs.getString(1));
                logged.setObject(5, ExportRuns.utc(now));
                logged.setString(6, rs.getString(2));
                logged.addBatch();
                if (++pending == LOG_BATCH) {
                    logged.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                logged.executeBatch();
            }
            out.flush();
        }
        return new Written(subjects, without, HexFormat.of().formatHex(sha256.digest()));
    }

    private static String hash(String value, java.util.function.UnaryOperator<String> normalise) {
        if (value == null) {
            return null;
        }
        return AudiencePlatform.sha256(normalise.apply(value));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available");
        }
    }
}
