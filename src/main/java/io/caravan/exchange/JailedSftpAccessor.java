package io.caravan.exchange;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.security.Principal;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.sshd.common.file.root.RootedFileSystem;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;

/**
 * What a partner may do inside its root, on top of MINA's root-jailed file system (which keeps
 * {@code ..} and absolute paths inside the root, but follows a symbolic link that was planted in the
 * root to wherever it points).
 *
 * <ul>
 *   <li>Read and list anything in its root. A path that leads out of the root on the real file
 *       system through a symbolic link is treated as not existing, and such links are left out
 *       of listings ({@link #isInsideRoot}).</li>
 *   <li>Write (create, overwrite, append, truncate), rename and remove only regular files directly
 *       in {@code /inbox}; a rename must stay in {@code /inbox}. Names ending in {@code .ready} are
 *       reserved for done markers. Uploaded files are created owner-only (0600) whatever mode the
 *       client asks for.</li>
 *   <li>Set only the times of such a file; permissions, owner, group, ACLs and extended
 *       attributes are refused.</li>
 *   <li>Never: create directories, remove directories, create symbolic or hard links, read a link's
 *       target, copy server-side, or change anything in {@code /outbox} (Caravan writes it).</li>
 * </ul>
 *
 * <p>A refusal is an {@link AccessDeniedException}, which the client sees as "permission denied";
 * its message names the partner's own (virtual) path only. Upload completion is delegated to
 * {@link UploadCompletion}. Thread-safe; stateless apart from the shared {@link UploadCompletion}.
 */
final class JailedSftpAccessor implements SftpFileSystemAccessor {

    static final String INBOX = "inbox";
    static final String OUTBOX = "outbox";

    private static final Set<OpenOption> WRITE_OPTIONS = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.DELETE_ON_CLOSE);
    private static final Set<String> TIME_ATTRIBUTES = Set.of("lastModifiedTime", "lastAccessTime", "creationTime");

    private final UploadCompletion uploads;

    JailedSftpAccessor(UploadCompletion uploads) {
        this.uploads = uploads;
    }

    @Override
    public Path resolveLocalFilePath(SftpSubsystemProxy subsystem, Path rootDir, String remotePath)
            throws IOException {
        Path resolved = DEFAULT.resolveLocalFilePath(subsystem, rootDir, remotePath);
        if (!isInsideRoot(resolved)) {
            throw denied(resolved, "no such file");
        }
        return resolved;
    }

    @Override
    public DirectoryStream<Path> openDirectory(SftpSubsystemProxy subsystem, DirectoryHandle dirHandle, Path dir,
            String handle, LinkOption... linkOptions) throws IOException {
        DirectoryStream<Path> entries = DEFAULT.openDirectory(subsystem, dirHandle, dir, handle, linkOptions);
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                Iterator<Path> all = entries.iterator();
                return new Iterator<>() {
                    private Path next = advance();

                    private Path advance() {
                        while (all.hasNext()) {
                            Path candidate = all.next();
                            if (isInsideRoot(candidate)) {
                                return candidate;
                            }
                        }
                        return null;
                    }

                    @Override
                    public boolean hasNext() {
                        return next != null;
                    }

                    @Override
                    public Path next() {
                        if (next == null) {
                            throw new NoSuchElementException();
                        }
                        Path current = next;
                        next = advance();
                        return current;
                    }
                };
            }

            @Override
            public void close() throws IOException {
                entries.close();
            }
        };
    }

    @Override
    public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
            Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        if (options.stream().noneMatch(WRITE_OPTIONS::contains)) {
            return DEFAULT.openFile(subsystem, fileHandle, file, handle, options, attrs);
        }
        requireInboxFile(file);
        FileAttribute<?>[] ownerOnly = KeyFiles.ownerOnly(KeyFiles.OWNER_FILE);
        return uploads.openForWriting(fileHandle, file,
                () -> DEFAULT.openFile(subsystem, fileHandle, file, handle, options, ownerOnly));
    }

    @Override
    public void renameFile(SftpSubsystemProxy subsystem, Path oldPath, Path newPath, Collection<CopyOption> opts)
            throws IOException {
        requireInboxFile(oldPath);
        requireInboxFile(newPath);
        uploads.rename(oldPath, newPath, () -> {
            DEFAULT.renameFile(subsystem, oldPath, newPath, opts);
            return null;
        });
    }

    @Override
    public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
        if (isDirectory) {
            throw denied(path, "directories cannot be removed");
        }
        requireInboxFile(path);
        uploads.remove(path, () -> {
            DEFAULT.removeFile(subsystem, path, false);
            return null;
        });
    }

    @Override
    public void setFileAttribute(SftpSubsystemProxy subsystem, Path file, String view, String attribute, Object value,
            LinkOption... options) throws IOException {
        if (!TIME_ATTRIBUTES.contains(attribute)) {
            throw denied(file, "only file times can be changed");
        }
        requireInboxFile(file);
        DEFAULT.setFileAttribute(subsystem, file, view, attribute, value, options);
    }

    @Override
    public void setFilePermissions(SftpSubsystemProxy subsystem, Path path, Set<PosixFilePermission> perms,
            LinkOption... options) throws IOException {
        throw denied(path, "permissions cannot be changed");
    }

    @Override
    public void setFileOwner(SftpSubsystemProxy subsystem, Path path, Principal value, LinkOption... options)
            throws IOException {
        throw denied(path, "the owner cannot be changed");
    }

    @Override
    public void setGroupOwner(SftpSubsystemProxy subsystem, Path path, Principal value, LinkOption... options)
            throws IOException {
        throw denied(path, "the group cannot be changed");
    }

    @Override
    public void setFileAccessControl(SftpSubsystemProxy subsystem, Path path, List<AclEntry> acl,
            LinkOption... options) throws IOException {
        throw denied(path, "access control lists cannot be changed");
    }

    @Override
    public void applyExtensionFileAttributes(SftpSubsystemProxy subsystem, Path file, Map<String, byte[]> extensions,
            LinkOption... options) throws IOException {
        if (extensions != null && !extensions.isEmpty()) {
            throw denied(file, "extended attributes cannot be changed");
        }
    }

    @Override
    public void createDirectory(SftpSubsystemProxy subsystem, Path path) throws IOException {
        throw denied(path, "directories cannot be created");
    }

    @Override
    public void createLink(SftpSubsystemProxy subsystem, Path link, Path existing, boolean symLink)
            throws IOException {
        throw denied(link, "links cannot be created");
    }

    @Override
    public String resolveLinkTarget(SftpSubsystemProxy subsystem, Path link) throws IOException {
        throw denied(link, "links are not supported");
    }

    @Override
    public void copyFile(SftpSubsystemProxy subsystem, Path src, Path dst, Collection<CopyOption> opts)
            throws IOException {
        throw denied(dst, "server-side copies are not supported");
    }

    /**
     * Whether {@code path} (of a partner's rooted file system) stays inside the partner's root on
     * the real file system when every symbolic link on the way is followed. The nearest existing
     * ancestor (the path itself if it exists) is resolved; a dangling link counts as outside, since
     * writing through it could create a file anywhere. Links cannot be created by partners, so
     * this guards against links planted on the server.
     */
    static boolean isInsideRoot(Path path) {
        if (!(path.getFileSystem() instanceof RootedFileSystem rooted)) {
            return false;
        }
        try {
            Path root = rooted.getRoot().toRealPath();
            Path absolute = path.toAbsolutePath().normalize();
            Path physical = root.resolve(absolute.getRoot().relativize(absolute).toString()).normalize();
            for (Path p = physical; p != null && p.startsWith(root); p = p.getParent()) {
                if (Files.exists(p)) {
                    return p.toRealPath().startsWith(root);
                }
                if (Files.isSymbolicLink(p)) {
                    return false;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Refuses anything but a regular (or not yet existing) file directly in /inbox with an unreserved name. */
    private static void requireInboxFile(Path file) throws AccessDeniedException {
        Path virtual = file.toAbsolutePath().normalize();
        if (virtual.getNameCount() != 2 || !INBOX.equals(virtual.getName(0).toString())) {
            throw denied(file, "files can be written only directly in /" + INBOX);
        }
        if (UploadCompletion.isReserved(virtual.getFileName().toString())) {
            throw denied(file, "names ending in " + UploadCompletion.MARKER_SUFFIX + " are reserved");
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(file)) {
            throw denied(file, "not a regular file");
        }
    }

    private static AccessDeniedException denied(Path path, String reason) {
        return new AccessDeniedException(path.toAbsolutePath().normalize().toString(), null, reason);
    }
}
