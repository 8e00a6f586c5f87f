package io.caravan.deliver;

import io.caravan.pseudonymise.KeyRing;
import io.caravan.pseudonymise.Tokeniser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a partner's overlap audience: a CSV file the partner uploaded to
 * {@code inbox/<name>.overlap} over SFTP (an extension no partner route reads; the gateway lets
 * partners write only directly in {@code inbox/}), with a header naming one or both of
 * {@code email_sha256} and {@code phone_sha256} and one member per line, each cell the lowercase or
 * uppercase hex SHA-256 of an identifier normalised as Google Customer Match documents it (e-mail
 * trimmed and lower-cased, phone in E.164 with its {@code +}; see {@link AudiencePlatform}) or
 * empty.
 *
 * <p>Every hash is re-keyed at once into the {@code overlap} key domain
 * ({@code token = HMAC-SHA256(overlap key, hash)}) and only the token is stored
 * ({@code caravan.overlap_member}); the file itself is deleted by the caller (the route) whatever
 * the outcome. A line whose cells are not 64 hex digits, or that has no hash, is counted rejected; a
 * file without a recognised header, or whose name is not {@code [A-Za-z0-9_-]{1,64}}, is refused as
 * a whole. A new upload under the same name replaces the audience. Nothing of the content is logged or
 * stored in a message: errors name the partner, file, line and column. Thread-safe.
 */
public final class OverlapUploads {
    /** The key domain of overlap tokens. */
    public static final String KEY_DOMAIN = "overlap";
    private static final Logger LOG = LoggerFactory.getLogger(OverlapUploads.class);
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final List<String> COLUMNS = List.of("email_sha256", "phone_sha256");

    private final DataSource dataSource;
    private final KeyRing keys;
    private final Clock clock;

    public OverlapUploads(DataSource dataSource, KeyRing keys, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The outcome of one upload, as recorded in {@code caravan.overlap_audience}. */
    public record Loaded(String audienceId, String status, long rowsIn, long rowsAccepted, long rowsRejected, String error) {
    }

    /**
     * Loads {@code content} as the audience {@code <partner>:<name>}, replacing an earlier one of
     * that name, in one transaction.
     */
    public Loaded load(String partner, String fileName, InputStream content) throws SQLException, IOException {
        String name = fileName.replaceFirst("\\.(overlap|csv)$", "");
        String audienceId = partner + ":" + name;
        if (!NAME.matcher(name).matches() || !NAME.matcher(partner).matches()) {
            LOG.warn("overlap upload of partner {} refused: file name is not [A-Za-z0-9_-]{{1,64}}.overlap", safe(partner));
            return new Loaded(null, "rejected", 0, 0, 0, "file name is not [A-Za-z0-9_-]{1,64}.overlap");
        }
        Tokeniser tokeniser = keys.tokeniser(KEY_DOMAIN);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM caravan.overlap_audience WHERE audience_id = ?")) {
                    delete.setString(1, audienceId);
                    delete.executeUpdate();
                }
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO caravan.overlap_audience "
                        + "(audience_id, partner_id, name, key_id, uploaded_at, status) VALUES (?, ?, ?, ?, ?, 'loaded')")) {
                    insert.setString(1, audienceId);
                    insert.setString(2, partner);
                    insert.setString(3, name);
                    insert.setString(4, tokeniser.keyId());
                    insert.setObject(5, ExportRuns.utc(Instant.now(clock)));
                    insert.executeUpdate();
                }
                Loaded loaded = members(connection, audienceId, tokeniser, content);
                try (PreparedStatement update = connection.prepareStatement("UPDATE caravan.overlap_audience SET "
                        + "rows_in = ?, rows_accepted = ?, rows_rejected = ?, status = ?, error = ? WHERE audience_id = ?")) {
                    update.setLong(1, loaded.rowsIn());
                    update.setLong(2, loaded.rowsAccepted());
                    update.setLong(3, loaded.rowsRejected());
                    update.setString(4, loaded.status());
                    update.setString(5, loaded.error());
                    update.setString(6, audienceId);
                    update.executeUpdate();
                }
                if (loaded.status().equals("rejected")) {
                    try (PreparedStatement delete = connection.prepareStatement(
                            "DELETE FROM caravan.overlap_member WHERE audience_id = ?")) {
                        delete.setString(1, audienceId);
                        delete.executeUpdate();
                    }
                }
                connection.commit();
                LOG.info("overlap audience {}: {} lines, {} accepted, {} rejected, {}", audienceId, loaded.rowsIn(),
                        loaded.rowsAccepted(), loaded.rowsRejected(), loaded.status());
                return loaded;
            } catch (SQLException | IOException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static Loaded members(Connection connection, String audienceId, Tokeniser tokeniser, InputStream content)
            throws SQLException, IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(content, StandardCharsets.UTF_8));
        String headerLine = reader.readLine();
        if (headerLine != null && headerLine.startsWith("\uFEFF")) {
            headerLine = headerLine.substring(1);
        }
        List<String> header = new ArrayList<>();
        if (headerLine != null) {
            for (String cell : headerLine.split(",", -1)) {
                header.add(cell.strip().toLowerCase(Locale.ROOT));
            }
        }
        if (header.isEmpty() || !COLUMNS.containsAll(header) || header.size() != header.stream().distinct().count()) {
            return new Loaded(audienceId, "rejected", 0, 0, 0,
                    "line 1: the header must name email_sha256 and/or phone_sha256, each once");
        }
        long rows = 0;
        long accepted = 0;
        long rejected = 0;
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO caravan.overlap_member (audience_id, member_no, token) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            String line;
            int pending = 0;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                rows++;
                String[] cells = line.split(",", -1);
                List<String> hashes = new ArrayList<>();
                boolean bad = cells.length != header.size();
                for (int c = 0; !bad && c < cells.length; c++) {
                    String cell = cells[c].strip().toLowerCase(Locale.ROOT);
                    if (cell.isEmpty()) {
                        continue;
                    }
                    if (!HEX.matcher(cell).matches()) {
                        bad = true;
                    } else {
                        hashes.add(cell);
                    }
                }
                if (bad || hashes.isEmpty()) {
                    rejected++;
                    continue;
                }
                for (String hash : hashes) {
                    insert.setString(1, audienceId);
                    insert.setLong(2, rows);
                    insert.setString(3, tokeniser.token(hash));
                    insert.addBatch();
                    pending++;
                }
                accepted++;
                if (pending >= 1000) {
                    insert.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                insert.executeBatch();
            }
        }
        return new Loaded(audienceId, "loaded", rows, accepted, rejected, null);
    }

    private static String safe(String text) {
        return text != null && NAME.matcher(text).matches() ? text : "(invalid)";
    }
}
