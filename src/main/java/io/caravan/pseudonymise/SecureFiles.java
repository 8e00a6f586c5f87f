package io.caravan.pseudonymise;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * Owner-only files for key material, like an SSH host key: directories are created {@code 0700}
 * and files {@code 0600} with the permissions given at creation (never widened and then
 * narrowed), and files are written under a temporary name and moved into place atomically.
 * Requires a POSIX file system. Messages name paths, never content.
 */
final class SecureFiles {
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private SecureFiles() {
    }

    /** Creates the directory and any missing parents inside {@code root} as {@code 0700}. */
    static void directory(Path dir) throws IOException {
        FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(DIRECTORY);
        Files.createDirectories(dir, attr);
        requireOwnerOnly(dir);
    }

    /**
     * Writes {@code content} to {@code target}: into a new {@code 0600} temporary file beside it,
     * then an atomic move. With {@code replace} false an existing target is an error.
     */
    static void write(Path target, byte[] content, boolean replace) throws IOException {
        if (!replace && Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (SeekableByteChannel channel = Files.newByteChannel(temp,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC),
                    PosixFilePermissions.asFileAttribute(FILE))) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Refuses a file or directory that its group or others may access (an SSH-style check). */
    static void requireOwnerOnly(Path path) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
        if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
            throw new MissingKeyException(path + ": is accessible to others than its owner ("
                    + PosixFilePermissions.toString(permissions) + "); restrict it to the owner (chmod "
                    + (Files.isDirectory(path) ? "700" : "600") + ") before starting");
        }
    }
}
