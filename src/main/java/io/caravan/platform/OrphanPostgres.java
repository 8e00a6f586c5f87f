package io.caravan.platform;

import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the embedded warehouse's data directory startable again after the process that started
 * its PostgreSQL died without stopping it (SIGKILL, an OOM kill, a power cut): the server it
 * started keeps running, or its lock file {@value PostmasterPid#FILE_NAME} stays behind, and
 * PostgreSQL refuses a second server on the directory ({@code FATAL: lock file "postmaster.pid"
 * already exists}).
 *
 * <p><b>Contract.</b> {@link #clear} returns once no PostgreSQL serves the directory and nothing
 * in its lock file would keep a new server from starting, or throws an
 * {@link IllegalStateException} that names the directory and what to do. What it finds decides:
 * <ul>
 *   <li>no {@code postmaster.pid}: nothing to do;</li>
 *   <li>{@value #OWNER_LOCK} held by another process: the process that started the server (it
 *       holds that lock for as long as it lives; the operating system releases it when the process
 *       dies, however it dies) is alive, so another Caravan is using the directory: refused,
 *       nothing touched;</li>
 *   <li>a file that names no process (a start interrupted while writing it): removed;</li>
 *   <li>the process is gone: the file is left to PostgreSQL, which replaces a lock file whose
 *       process is gone after checking that no process of the old server still uses the
 *       directory's shared memory;</li>
 *   <li>a live process that is provably not a PostgreSQL serving this directory (its process id
 *       was reused, as after a reboot or in a container): the file is removed, since PostgreSQL
 *       would take the live process for a server and refuse to start;</li>
 *   <li>a live PostgreSQL serving this directory, left behind by a dead process: stopped cleanly,
 *       with {@code pg_ctl stop -m fast} from the binaries it runs from (its open transactions
 *       roll back, everything committed stays), or with SIGTERM where that is not possible, and
 *       waited for up to the given timeout; refused with a clear error if it is still running
 *       then;</li>
 *   <li>a live process that cannot be inspected (another user's): refused.</li>
 * </ul>
 * A PostgreSQL is recognised by its executable's name and the data directory it serves (its
 * {@code -D} argument, else its working directory, into which PostgreSQL changes). The left-over
 * server is stopped rather than reused: it runs with the settings of the run that started it, on
 * a port that run chose, outside any process that would stop it, and its open transactions belong
 * to a process that is gone; a fresh server is started the normal way by the caller.
 *
 * <p>Logs at INFO what it found and did (process id, port, directory); never a credential.
 * Stateless and thread-safe, but only one start per data directory should run at a time (the
 * owner lock, taken while this runs, keeps a second Caravan out).
 */
final class OrphanPostgres {
    /** zonky's lock file in the data directory, held by the process that started the server. */
    static final String OWNER_LOCK = "epg-lock";
    private static final Logger LOG = LoggerFactory.getLogger(OrphanPostgres.class);

    /** What {@link #clear} found in the data directory. */
    enum Found {
        /** No lock file: a clean directory. */
        NOTHING,
        /** A lock file naming no process; removed. */
        UNREADABLE_LOCK_FILE,
        /** A lock file whose process is gone; left for PostgreSQL to replace. */
        STALE_LOCK_FILE,
        /** A lock file naming a live process that is not a PostgreSQL serving this directory; removed. */
        REUSED_PROCESS_ID,
        /** A PostgreSQL still serving the directory, left by a process that died; stopped. */
        RUNNING_SERVER
    }

    /** Whether a live process is a PostgreSQL serving the data directory. */
    enum Identity { THIS_DIRECTORY, SOMETHING_ELSE, UNKNOWN }

    private OrphanPostgres() {
    }

    /**
     * Clears what a crashed predecessor left in {@code dataDirectory} (see the class contract).
     *
     * @param stopTimeout how long a left-over server may take to stop
     * @throws IllegalStateException when the directory is in use by a live process or a left-over
     *                               server does not stop in time
     * @throws UncheckedIOException  when the lock files cannot be read or removed
     */
    static Found clear(Path dataDirectory, Duration stopTimeout) {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        Path pidFile = dir.resolve(PostmasterPid.FILE_NAME);
        if (!Files.exists(pidFile)) {
            return Found.NOTHING;
        }
        Path ownerLock = dir.resolve(OWNER_LOCK);
        if (!Files.exists(ownerLock)) {
            return clearLockFile(dir, pidFile, stopTimeout);
        }
        try (FileChannel channel = FileChannel.open(ownerLock, StandardOpenOption.WRITE);
             FileLock lock = tryLock(channel)) {
            if (lock == null) {
                throw new IllegalStateException("the embedded warehouse's data directory " + dir + " is in use by"
                        + " another running process (it holds " + ownerLock.getFileName() + "): stop the other"
                        + " Caravan first, or give this one another caravan.data-dir");
            }
            return clearLockFile(dir, pidFile, stopTimeout);
        } catch (IOException e) {
            throw new UncheckedIOException("could not check who uses " + dir, e);
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by this very process
        }
    }

    private static Found clearLockFile(Path dir, Path pidFile, Duration stopTimeout) {
        String text;
        try {
            text = Files.readString(pidFile, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException gone) {
            return Found.NOTHING;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + pidFile, e);
        }
        Optional<PostmasterPid> parsed = PostmasterPid.parse(text);
        if (parsed.isEmpty()) {
            delete(pidFile);
            LOG.info("{} named no process (PostgreSQL was interrupted while starting); removed it", pidFile);
            return Found.UNREADABLE_LOCK_FILE;
        }
        PostmasterPid found = parsed.get();
        Optional<ProcessHandle> process = ProcessHandle.of(found.pid()).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            LOG.info("{} names process {}, which no longer runs (left by a crash); PostgreSQL replaces it as it"
                    + " starts", pidFile, found.pid());
            return Found.STALE_LOCK_FILE;
        }
        ProcessHandle postmaster = process.get();
        return switch (identify(postmaster, dir)) {
            case SOMETHING_ELSE -> {
                delete(pidFile);
                LOG.info("{} names process {}, which is not a PostgreSQL serving this directory (the process id was"
                        + " reused after a crash); removed the stale lock file", pidFile, found.pid());
                yield Found.REUSED_PROCESS_ID;
            }
            case UNKNOWN -> throw new IllegalStateException(pidFile + " names process " + found.pid()
                    + ", which is running but cannot be inspected: if it is a PostgreSQL serving " + dir
                    + ", stop it (pg_ctl -D " + dir + " stop -m fast); if it is not, remove " + pidFile
                    + "; then start Caravan again");
            case THIS_DIRECTORY -> {
                stop(postmaster, found, dir, stopTimeout);
                yield Found.RUNNING_SERVER;
            }
        };
    }

    /** Whether {@code process} is a PostgreSQL serving {@code dataDirectory} (see the class contract). */
    static Identity identify(ProcessHandle process, Path dataDirectory) {
        ProcessHandle.Info info = process.info();
        Optional<String> command = info.command();
        if (command.isEmpty()) {
            return Identity.UNKNOWN;
        }
        String name = executable(command.get()).getFileName().toString();
        if (!name.equals("postgres") && !name.equals("postmaster") && !name.equals("postgres.exe")) {
            return Identity.SOMETHING_ELSE;
        }
        Optional<Path> served = dataDirectoryArgument(info.arguments().orElse(new String[0]))
                .or(() -> workingDirectory(process.pid()));
        if (served.isEmpty()) {
            return Identity.UNKNOWN;
        }
        return sameDirectory(served.get(), dataDirectory) ? Identity.THIS_DIRECTORY : Identity.SOMETHING_ELSE;
    }

    /** The executable's path; Linux appends " (deleted)" when the file was removed while it runs. */
    private static Path executable(String command) {
        return Path.of(command.endsWith(" (deleted)") ? command.substring(0, command.length() - 10) : command);
    }

    /** The absolute path after {@code -D} ({@code -D dir} or {@code -Ddir}), if any. */
    static Optional<Path> dataDirectoryArgument(String[] arguments) {
        for (int i = 0; i < arguments.length; i++) {
            String value = null;
            if (arguments[i].equals("-D") && i + 1 < arguments.length) {
                value = arguments[i + 1];
            } else if (arguments[i].startsWith("-D") && arguments[i].length() > 2) {
                value = arguments[i].substring(2);
            }
            if (value != null) {
                Path path = Path.of(value);
                return path.isAbsolute() ? Optional.of(path) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Linux: a postmaster's working directory is its data directory. */
    private static Optional<Path> workingDirectory(long pid) {
        try {
            return Optional.of(Path.of("/proc", Long.toString(pid), "cwd").toRealPath());
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /**
     * Stops a left-over server: {@code pg_ctl stop -m fast} (run as zonky runs its binaries), else
     * SIGTERM; waits until the process has exited or {@code timeout} has passed.
     */
    private static void stop(ProcessHandle postmaster, PostmasterPid found, Path dir, Duration timeout) {
        LOG.info("PostgreSQL (process {}, port {}) is still serving {}: the process that started it stopped without"
                + " stopping it (killed or crashed). Stopping it cleanly (fast shutdown: its open transactions roll"
                + " back) before starting afresh", found.pid(), found.port() > 0 ? found.port() : "unknown", dir);
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        Optional<Path> pgCtl = postmaster.info().command()
                .map(c -> executable(c).resolveSibling("pg_ctl"))
                .filter(Files::isExecutable);
        String how = "pg_ctl stop -m fast";
        if (pgCtl.isEmpty() || !pgCtlStop(pgCtl.get(), dir, timeout)) {
            how = "SIGTERM";
            if (postmaster.isAlive()) {
                postmaster.destroy();
            }
        }
        try {
            long left = Math.max(0, deadline - System.nanoTime());
            postmaster.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the left-over PostgreSQL (process " + found.pid() + ") still serves " + dir
                    + " " + timeout.toSeconds() + " s after it was asked to stop; stop it (kill " + found.pid()
                    + ") and start Caravan again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the left-over PostgreSQL (process "
                    + found.pid() + ") to stop", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not wait for the left-over PostgreSQL (process " + found.pid()
                    + ") to stop", e);
        }
        LOG.info("Stopped the left-over PostgreSQL (process {}) with {} in {} ms", found.pid(), how,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Runs {@code pg_ctl -D dir stop -m fast -w}; true when it reports the server stopped. */
    private static boolean pgCtlStop(Path pgCtl, Path dir, Duration timeout) {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            // zonky runs its binaries in a user namespace when Caravan runs as root (PostgreSQL refuses root)
            command.addAll(List.of("unshare", "-U"));
        }
        long seconds = Math.max(1, timeout.toSeconds());
        command.addAll(List.of(pgCtl.toString(), "-D", dir.toString(), "stop", "-m", "fast", "-w", "-t",
                Long.toString(seconds)));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(seconds + 10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                LOG.info("pg_ctl did not finish within {} s; sending SIGTERM instead", seconds + 10);
                return false;
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                LOG.info("pg_ctl could not stop the server (exit {}: {}); sending SIGTERM instead",
                        process.exitValue(), output.replace('\n', ' '));
                return false;
            }
            return true;
        } catch (IOException e) {
            LOG.info("pg_ctl could not run ({}); sending SIGTERM instead", e.getClass().getSimpleName());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the stale " + file, e);
        }
    }
}
