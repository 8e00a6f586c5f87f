package io.caravan.exchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import java.util.Set;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * Owner-only key files in OpenSSH format: what {@code ssh-keygen -t ed25519} writes and
 * {@code sftp -i} reads.
 *
 * <p>Directories are created 0700 and files 0600, with the permissions set at creation (there is
 * no moment at which a key file is readable by others). A private key is written to a temporary
 * file in the same directory and moved into place atomically, so a crash never leaves a truncated
 * key. Private keys are not encrypted: they protect an unattended server (host key) or a demo
 * account. Nothing here logs; exception messages name files, never key material.
 *
 * <p>Stateless and thread-safe; concurrent creation of the same file is not coordinated.
 */
final class KeyFiles {

    static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private KeyFiles() {
    }

    /**
     * Loads the key pair in {@code privateKey}, generating a new Ed25519 pair first if the file does
     * not exist. Also (re)writes {@code privateKey + ".pub"} if it is missing.
     *
     * @param comment the comment of the public key line (e.g. {@code dealer-nord@caravan})
     */
    static KeyPair loadOrCreateEd25519(Path privateKey, String comment) throws IOException {
        Path dir = privateKey.toAbsolutePath().getParent();
        createOwnerOnlyDirectories(dir);
        KeyPair pair;
        if (Files.exists(privateKey)) {
            pair = load(privateKey);
        } else {
            pair = generateEd25519();
            writePrivate(pair, privateKey, comment);
        }
        Path pub = publicKeyFile(privateKey);
        if (!Files.exists(pub)) {
            writeOwnerOnly(pub, (PublicKeyEntry.toString(pair.getPublic()) + " " + comment + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        return pair;
    }

    static Path publicKeyFile(Path privateKey) {
        return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
    }

    /** Reads an unencrypted OpenSSH (or PEM) private key file. */
    static KeyPair load(Path privateKey) throws IOException {
        Iterator<KeyPair> pairs = new FileKeyPairProvider(privateKey).loadKeys(null).iterator();
        if (!pairs.hasNext()) {
            throw new IOException(privateKey + ": holds no key pair");
        }
        return pairs.next();
    }

    static KeyPair generateEd25519() throws IOException {
        try {
            return KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate an Ed25519 key pair (is Bouncy Castle on the class path?)", e);
        }
    }

    /** Creates {@code dir} and missing parents; the ones created here are 0700. */
    static void createOwnerOnlyDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        if (absolute.getParent() != null) {
            createOwnerOnlyDirectories(absolute.getParent());
        }
        try {
            Files.createDirectory(absolute, ownerOnly(OWNER_DIR));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
        }
    }

    private static void writePrivate(KeyPair pair, Path target, String comment) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".key-", ".tmp", ownerOnly(OWNER_FILE));
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, out);
            } catch (GeneralSecurityException e) {
                throw new IOException(target + ": cannot encode the key pair", e);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeOwnerOnly(Path target, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".pub-", ".tmp", ownerOnly(OWNER_FILE));
        try {
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** POSIX permissions at creation where the file system has them (not on Windows). */
    static FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> permissions) {
        return isPosix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }

    static boolean isPosix() {
        return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
