package io.caravan.exchange;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.file.root.RootedFileSystem;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;

/**
 * Decides when an upload in a partner's {@code inbox/} is complete and says so with a done marker,
 * {@code <name>.ready}, beside the file (the contract is in {@link SftpGateway}).
 *
 * <p>A file in {@code inbox/} is <em>in progress</em> while any SFTP handle has it open for
 * writing. When the last writer closes it with an SSH_FXP_CLOSE that succeeds, or when a file is
 * renamed to its name, and the name is not temporary ({@link #isTemporary}), the marker is created.
 * A handle that is dropped because the connection ended is not a completion: the file stays in
 * progress (without a marker) until it is uploaded again or renamed. While the marker exists the
 * file is <em>frozen</em>: the partner may read it but not write, rename, replace or remove it,
 * until the ingest route has consumed it (Camel deletes the marker).
 *
 * <p>Thread-safe: every decision and the file operation it guards run under one lock, so a
 * marker is never created for a file that another session is writing. Logs nothing.
 */
final class UploadCompletion implements SftpEventListener {

    /** The suffix of done markers; names ending with it are reserved for the gateway. */
    static final String MARKER_SUFFIX = ".ready";

    private static final Set<String> TEMPORARY_SUFFIXES = Set.of(".part", ".tmp", ".filepart");
    private static final AttributeKey<Path> WRITER = new AttributeKey<>();

    private final Object lock = new Object();
    private final Map<Path, Integer> writers = new HashMap<>();

    /**
     * Whether {@code name} is a temporary upload name that never becomes complete on close:
     * a dot-file, or a name ending in {@code .part}, {@code .tmp} or {@code .filepart} (any case).
     */
    static boolean isTemporary(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.startsWith(".") || TEMPORARY_SUFFIXES.stream().anyMatch(lower::endsWith);
    }

    /** Whether {@code name} is reserved for done markers. */
    static boolean isReserved(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(MARKER_SUFFIX);
    }

    /** The done marker of {@code file}. */
    static Path markerOf(Path file) {
        return file.resolveSibling(file.getFileName() + MARKER_SUFFIX);
    }

    /** An operation on the file system that is guarded by the completion lock. */
    interface Operation<T> {
        T run() throws IOException;
    }

    /**
     * Opens {@code file} for writing through {@code open}, refusing a frozen file, and counts the
     * writer on {@code handle} (which may be {@code null} for an internal open, e.g. a truncate).
     */
    <T> T openForWriting(Handle handle, Path file, Operation<T> open) throws IOException {
        synchronized (lock) {
            refuseIfFrozen(file);
            T channel = open.run();
            if (handle != null) {
                Path key = key(file);
                writers.merge(key, 1, Integer::sum);
                handle.setAttribute(WRITER, key);
            }
            return channel;
        }
    }

    /** Renames {@code source} to {@code target} through {@code move}, then marks the target complete. */
    void rename(Path source, Path target, Operation<Void> move) throws IOException {
        synchronized (lock) {
            refuseIfFrozen(source);
            refuseIfFrozen(target);
            if (writers.containsKey(key(source)) || writers.containsKey(key(target))) {
                throw new AccessDeniedException(target.toString(), null, "file is being uploaded");
            }
            move.run();
            markIfComplete(target);
        }
    }

    /** Removes {@code file} through {@code remove} unless it is frozen. */
    void remove(Path file, Operation<Void> remove) throws IOException {
        synchronized (lock) {
            refuseIfFrozen(file);
            remove.run();
        }
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown)
            throws IOException {
        Path key = localHandle.removeAttribute(WRITER);
        if (key == null) {
            return;
        }
        synchronized (lock) {
            if (release(key) && thrown == null) {
                markIfComplete(localHandle.getFile());
            }
        }
    }

    @Override
    public void exiting(ServerSession session, Handle handle) {
        Path key = handle.removeAttribute(WRITER);
        if (key != null) {
            synchronized (lock) {
                release(key);
            }
        }
    }

    /** Drops one writer; returns whether it was the last. */
    private boolean release(Path key) {
        Integer left = writers.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
        return left == null;
    }

    private void markIfComplete(Path file) throws IOException {
        if (isTemporary(file.getFileName().toString()) || writers.containsKey(key(file))) {
            return;
        }
        try {
            Files.newByteChannel(markerOf(file), Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    KeyFiles.ownerOnly(KeyFiles.OWNER_FILE)).close();
        } catch (FileAlreadyExistsException alreadyMarked) {
            // complete already
        }
    }

    private static void refuseIfFrozen(Path file) throws AccessDeniedException {
        if (Files.exists(markerOf(file))) {
            throw new AccessDeniedException(file.toString(), null, "file is complete and waiting to be ingested");
        }
    }

    /** The file's path on the real file system, which is unique across partners. */
    private static Path key(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        if (absolute.getFileSystem() instanceof RootedFileSystem rooted) {
            return rooted.getRoot().resolve(absolute.getRoot().relativize(absolute).toString());
        }
        return absolute;
    }
}
