package io.caravan.pseudonymise;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The archive of kept partner files ({@code caravan.archive}). A file a route has consumed is moved
 * by Camel to {@code inbox/.done/} or {@code inbox/.failed/}; the archiver then encrypts it there to
 * {@code <same name>.tink} under a data key of its own ({@link ArchiveCipher}), records the wrapped
 * key, and deletes the plain file. Plain text therefore exists only in an inbox before pickup and,
 * for the moment between Camel's move and the archiver, in {@code .done/} or {@code .failed/}; a
 * crash in that moment leaves a plain file that the sweep at the next start archives.
 *
 * <p>Every step is idempotent: the encrypted file is written under a dot-name, synced and renamed
 * over any earlier attempt; its row is keyed by path; the plain file is deleted last. Archiving
 * never touches the ledger or the warehouse, so it cannot lose or duplicate a row.
 *
 * <p>Crypto-shredding ({@link #shredExpired}, {@link #shredBatches}) first deletes the wrapped key
 * (committed), then the file: once the key is gone the file is unreadable even if its deletion
 * fails. A crash between the two leaves a shredded row and a keyless file, which
 * {@link #removeRemnants} deletes at the next start or retention run; a crash before leaves the key
 * and the file as they were, for the next erasure or retention run to shred. Never a state that
 * blocks a later shred. Thread-safe: archiving and retention shredding are serialised in this JVM; an
 * erasure's shred of a batch runs under that batch's cluster-wide lock and marks each row shredded at
 * most once ({@code WHERE shredded_at IS NULL}). Logs counts, partners and archive
 * ids, never content, file names of subjects or key material.
 */
public final class Archive {
    /** The suffix of an encrypted archive file. */
    public static final String SUFFIX = ".tink";
    private static final Logger LOG = LoggerFactory.getLogger(Archive.class);
    private static final List<String> KEPT = List.of(".done", ".failed");
    private static final Pattern BATCH_PREFIX = Pattern.compile("^(b-\\d{8}-\\d{6}-[0-9a-f]{8})-.+");
    private static final String CONTEXT = "caravan.archive.v1:";
    /** The first key of the advisory locks on kept files (the second is the batch id's hash). */
    private static final int LOCK_CLASS = 0x43415241;
    private static final String UPSERT = """
            INSERT INTO caravan.archive (archive_id, batch_id, partner, route_id, path, outcome, wrapped_key, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (path) DO UPDATE SET archive_id = excluded.archive_id, batch_id = excluded.batch_id,
                partner = excluded.partner, route_id = excluded.route_id, outcome = excluded.outcome,
                wrapped_key = excluded.wrapped_key, created_at = excluded.created_at, shredded_at = NULL, shredded_by = NULL""";
    private static final String SHRED = """
            UPDATE caravan.archive SET wrapped_key = NULL, shredded_at = ?, shredded_by = ?
            WHERE archive_id = ? AND shredded_at IS NULL""";

    private final JdbcTemplate jdbc;
    private final ArchiveCipher cipher;
    private final ArchiveRetention retention;
    private final Clock clock;

    /** @throws MissingKeyException when the key ring has no archive keyset (start-up refuses) */
    public Archive(DataSource dataSource, KeyRing keys, ArchiveRetention retention, Clock clock) {
        this.jdbc = new JdbcTemplate(Objects.requireNonNull(dataSource, "dataSource"));
        this.cipher = keys.archiveCipher();
        this.retention = Objects.requireNonNull(retention, "retention");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** One archived file. */
    public record Entry(UUID archiveId, String batchId, String partner, String routeId, Path path, String outcome,
                        Instant createdAt) {
    }

    /** One file crypto-shredded: its key is gone and its file deleted. */
    public record Shredded(UUID archiveId, String batchId, String partner, String routeId, Instant createdAt) {
    }

    /**
     * Archives every plain file under {@code inbox/.done/} and {@code inbox/.failed/}: after a
     * route's exchange completes (with the batch id and file name it consumed, to name the batch
     * of a failed file whose name does not carry it) and at start-up (hints null).
     *
     * @return the files archived (or, under a zero retention, deleted)
     */
    public synchronized int sweep(Path inbox, String routeId, String batchIdHint, String fileNameHint) {
        String partner = inbox.toAbsolutePath().normalize().getParent().getFileName().toString();
        int archived = 0;
        for (String kept : KEPT) {
            Path dir = inbox.resolve(kept);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> plain = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (name.startsWith(".") && name.endsWith(SUFFIX + ".part")) {
                        // ciphertext of an attempt a crash interrupted: no row holds its key, so it is unreadable
                        Files.deleteIfExists(file);
                    } else if (Files.isRegularFile(file) && !name.startsWith(".") && !name.endsWith(SUFFIX)) {
                        plain.add(file);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not list " + dir, e);
            }
            for (Path file : plain) {
                String name = file.getFileName().toString();
                Matcher prefix = BATCH_PREFIX.matcher(name);
                String batchId = prefix.matches() ? prefix.group(1)
                        : fileNameHint != null && name.endsWith("-" + fileNameHint) ? batchIdHint : null;
                archive(file, kept.substring(1), batchId, partner, routeId);
                archived++;
            }
        }
        return archived;
    }

    /** Every {@code <root>/<partner>/inbox} at once (start-up). */
    public int sweepAll(Path root) {
        removeRemnants();
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int archived = 0;
        try (DirectoryStream<Path> partners = Files.newDirectoryStream(root)) {
            for (Path partner : partners) {
                Path inbox = partner.resolve("inbox");
                if (Files.isDirectory(inbox)) {
                    archived += sweep(inbox, null, null, null);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + root, e);
        }
        return archived;
    }

    /** Encrypts one plain file beside itself, records its wrapped key, then deletes the plain file. */
    Entry archive(Path plain, String outcome, String batchId, String partner, String routeId) {
        Path target = plain.resolveSibling(plain.getFileName() + SUFFIX);
        Instant now = clock.instant();
        try {
            if (retention.of(partner).isZero()) {
                Files.delete(plain);
                LOG.info("Deleted a consumed file of partner {} unkept (retention zero)", partner);
                return null;
            }
            UUID id = UUID.randomUUID();
            Path part = plain.resolveSibling("." + target.getFileName() + ".part");
            byte[] wrapped;
            try (InputStream in = Files.newInputStream(plain);
                 java.io.FileOutputStream file = new java.io.FileOutputStream(part.toFile());
                 OutputStream out = new java.io.BufferedOutputStream(file, 1 << 16)) {
                wrapped = cipher.seal(in, out, associatedData(id));
                out.flush();
                file.getFD().sync();
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            jdbc.update(UPSERT, id, batchId, partner, routeId, target.toAbsolutePath().normalize().toString(),
                    outcome, wrapped, Timestamp.from(now));
            Files.delete(plain);
            LOG.info("Archived a consumed file of partner {} encrypted as archive {} (batch {})", partner, id, batchId);
            return new Entry(id, batchId, partner, routeId, target, outcome, now);
        } catch (IOException e) {
            throw new ArchiveException("could not archive a consumed file of partner " + partner
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The archives of a batch, newest first, shredded ones included. */
    public List<Entry> entries(String batchId) {
        return jdbc.query("""
                SELECT archive_id, batch_id, partner, route_id, path, outcome, created_at FROM caravan.archive
                WHERE batch_id = ? AND shredded_at IS NULL ORDER BY created_at DESC""",
                (rs, n) -> new Entry(rs.getObject("archive_id", UUID.class), rs.getString("batch_id"),
                        rs.getString("partner"), rs.getString("route_id"), Path.of(rs.getString("path")),
                        rs.getString("outcome"), rs.getTimestamp("created_at").toInstant()), batchId);
    }

    /**
     * The plain content of the file a batch consumed, decrypted as it is read (for replay). The
     * caller closes the stream; reading a truncated or altered file fails with an
     * {@link IOException}.
     *
     * @throws ArchiveException when the batch has no readable archive or its key does not open
     */
    public InputStream open(String batchId) {
        List<KeyRow> rows = List.copyOf(jdbc.query("""
                SELECT archive_id, path, wrapped_key FROM caravan.archive
                WHERE batch_id = ? AND shredded_at IS NULL ORDER BY created_at DESC LIMIT 1""",
                (rs, n) -> new KeyRow(rs.getObject("archive_id", UUID.class), Path.of(rs.getString("path")),
                        rs.getBytes("wrapped_key")), batchId));
        if (rows.isEmpty()) {
            throw new ArchiveException("batch " + batchId + " has no kept file (never archived, or shredded)");
        }
        KeyRow row = rows.get(0);
        InputStream file = null;
        try {
            file = Files.newInputStream(row.path());
            return cipher.open(new java.io.BufferedInputStream(file, 1 << 16), row.wrappedKey(), associatedData(row.id()));
        } catch (NoSuchFileException e) {
            throw new ArchiveException("the kept file of batch " + batchId + " (archive " + row.id() + ") is missing");
        } catch (IOException e) {
            closeQuietly(file);
            throw new ArchiveException("the kept file of batch " + batchId + " (archive " + row.id()
                    + ") does not open with its key");
        }
    }

    /**
     * Decrypts the whole kept file of a batch to {@code target} (for a replay or a release); nothing
     * is left at {@code target} when it does not authenticate.
     *
     * @param entry the batch's kept file, named in the message when it does not authenticate
     * @throws ArchiveException when there is no readable file, its key does not open it, or it is
     *                          truncated or altered
     */
    public void restore(String batchId, Entry entry, Path target) {
        try (InputStream in = open(batchId); OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
        } catch (ArchiveException e) {
            deleteRestored(target);
            throw e;
        } catch (IOException | RuntimeException e) {
            deleteRestored(target);
            throw new ArchiveException("the kept file of batch " + batchId + " (archive " + entry.archiveId()
                    + ") does not authenticate (truncated or altered)");
        }
    }

    /**
     * The name the batch's file had in the inbox: {@code <batch id>-<name>.tink} as the route's
     * {@code move} wrote it, else the batch's recorded source; null when neither gives a plain file name.
     */
    public static String originalName(Entry entry, String batchId, String source) {
        String file = entry.path().getFileName().toString();
        if (file.endsWith(SUFFIX)) {
            file = file.substring(0, file.length() - SUFFIX.length());
        }
        String name = file.startsWith(batchId + "-") ? file.substring(batchId.length() + 1)
                : source == null || source.isBlank() ? null : Path.of(source).getFileName().toString();
        return name == null || name.isBlank() || name.startsWith(".") || name.contains("/") ? null : name;
    }

    private static void deleteRestored(Path target) {
        try {
            Files.deleteIfExists(target);
        } catch (IOException ignored) {
            // a hidden part file the file route ignores
        }
    }

    /** Crypto-shreds every kept file older than its partner's retention. */
    public synchronized List<Shredded> shredExpired(String by) {
        removeRemnants();
        Instant now = clock.instant();
        List<Shredded> expired = live("shredded_at IS NULL").stream()
                .filter(s -> !s.createdAt().isAfter(now.minus(retention.of(s.partner()))))
                .toList();
        return shred(expired, by, now);
    }

    /**
     * Crypto-shreds the kept files of the given batches and of the replays of them (erasure), each
     * batch under its {@linkplain #underBatchLock lock}: a replay of the same batch that is under
     * way finishes placing its file first, one that comes later finds the file shredded.
     */
    public List<Shredded> shredBatches(Collection<String> batchIds, String by) {
        if (batchIds.isEmpty()) {
            return List.of();
        }
        List<Shredded> shredded = new ArrayList<>();
        for (String batchId : new java.util.TreeSet<>(batchIds)) {
            shredded.addAll(underBatchLock(batchId, () -> shred(live("""
                    shredded_at IS NULL AND (batch_id = ? OR batch_id IN
                        (SELECT batch_id FROM caravan.batch WHERE replay_of = ?))""", batchId, batchId),
                    by, clock.instant())));
        }
        return shredded;
    }

    /**
     * Runs {@code work} holding the lock of one batch's kept file: a PostgreSQL session advisory
     * lock, so erasure and replay of the same batch are serialised across every node sharing the
     * database (a node that dies releases its locks with its connection). Blocks until the lock is
     * free. Locks of different batches are independent.
     */
    public <T> T underBatchLock(String batchId, java.util.function.Supplier<T> work) {
        Objects.requireNonNull(batchId, "batchId");
        try (java.sql.Connection connection = jdbc.getDataSource().getConnection()) {
            advisory(connection, "pg_advisory_lock", batchId);
            try {
                return work.get();
            } finally {
                advisory(connection, "pg_advisory_unlock", batchId);
            }
        } catch (java.sql.SQLException e) {
            throw new ArchiveException("could not lock the kept file of batch " + batchId + " (" + e.getSQLState() + ")");
        }
    }

    private static void advisory(java.sql.Connection connection, String function, String batchId)
            throws java.sql.SQLException {
        try (java.sql.PreparedStatement statement = connection.prepareStatement(
                "SELECT " + function + "(" + LOCK_CLASS + ", hashtext(?))")) {
            statement.setString(1, batchId);
            statement.execute();
        }
    }

    /**
     * Deletes the files of archives whose key is already shredded but whose file a crash (or a
     * failed deletion) left behind: unreadable ciphertext, removed so that no remnant outlives its
     * key. Runs at start-up and with every retention run.
     *
     * @return the remnants deleted
     */
    public int removeRemnants() {
        int removed = 0;
        for (String path : jdbc.queryForList(
                "SELECT path FROM caravan.archive WHERE shredded_at IS NOT NULL", String.class)) {
            try {
                if (Files.deleteIfExists(Path.of(path))) {
                    removed++;
                }
            } catch (IOException e) {
                LOG.warn("A shredded archive's file could not be deleted yet ({})", e.getClass().getSimpleName());
            }
        }
        if (removed > 0) {
            LOG.info("Deleted {} file(s) of archives whose key was shredded before a stop", removed);
        }
        return removed;
    }

    private List<Shredded> shred(List<Shredded> entries, String by, Instant now) {
        List<Shredded> shredded = new ArrayList<>();
        for (Shredded entry : entries) {
            String path = jdbc.queryForObject("SELECT path FROM caravan.archive WHERE archive_id = ?", String.class,
                    entry.archiveId());
            if (jdbc.update(SHRED, Timestamp.from(now), by, entry.archiveId()) == 1) {
                try {
                    Files.deleteIfExists(Path.of(path));
                } catch (IOException e) {
                    // the key is gone already: what is left cannot be read
                    LOG.warn("Archive {}: key shredded, but its file could not be deleted ({})", entry.archiveId(),
                            e.getClass().getSimpleName());
                }
                shredded.add(entry);
            }
        }
        if (!shredded.isEmpty()) {
            LOG.info("Crypto-shredded {} kept file(s) ({})", shredded.size(), by);
        }
        return shredded;
    }

    private List<Shredded> live(String where, Object... args) {
        return jdbc.query("SELECT archive_id, batch_id, partner, route_id, created_at FROM caravan.archive WHERE "
                        + where + " ORDER BY created_at",
                (rs, n) -> new Shredded(rs.getObject("archive_id", UUID.class), rs.getString("batch_id"),
                        rs.getString("partner"), rs.getString("route_id"), rs.getTimestamp("created_at").toInstant()), args);
    }

    private static byte[] associatedData(UUID archiveId) {
        return (CONTEXT + archiveId).getBytes(StandardCharsets.US_ASCII);
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing was read
            }
        }
    }

    private record KeyRow(UUID id, Path path, byte[] wrappedKey) {
    }

    @Override
    public String toString() {
        return "Archive[" + cipher + ", " + retention + "]";
    }
}
