package io.caravan.pseudonymise;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's key ring: keys are generated on first use and kept under a directory
 * readable by the owner only, then reused on every later start.
 *
 * <pre>
 * keys/                         0700
 *   hmac/&lt;domain&gt;/               0700
 *     &lt;key id&gt;.key                0600  base64 of 32 random bytes
 *     active                      0600  the active key id
 *   encrypt/aes256-siv.json       0600  Tink AES256_SIV keyset (the encrypt action)
 *   vault/aes256-siv.json         0600  Tink AES256_SIV keyset (the identity vault's seal)
 *   archive/aes256-gcm.json       0600  Tink AES256_GCM keyset (wraps the data keys of kept partner files)
 * </pre>
 *
 * <p>Key ids read {@code <domain>-<yyyyMMdd>-<4 hex>}. A file or directory accessible to group
 * or others makes start-up fail (as SSH refuses an unprotected private key). Thread-safe: reads
 * use an immutable snapshot, changes are serialised and, across processes, guarded by a file
 * lock. Logs key ids and domains when it generates a key; never material.
 */
public final class GeneratedKeyRing implements KeyRing {
    private static final Logger LOG = LoggerFactory.getLogger(GeneratedKeyRing.class);
    private static final int KEY_BYTES = 32;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final String ACTIVE = "active";
    private static final String SUFFIX = ".key";

    private final Path root;
    private final SecureRandom random = new SecureRandom();
    private final FieldCipher cipher;
    private final IdentitySeal seal;
    private final ArchiveCipher archive;
    /** Domain → readable keys, active first. Replaced whole on change. */
    private volatile Map<String, List<Tokeniser>> domains;

    private GeneratedKeyRing(Path root, Map<String, List<Tokeniser>> domains, FieldCipher cipher, FieldCipher vault,
                             ArchiveCipher archive) {
        this.root = root;
        this.domains = domains;
        this.cipher = cipher;
        this.seal = new IdentitySeal(vault);
        this.archive = archive;
    }

    /**
     * Opens (creating where missing) the key directory and the keys of {@code requiredDomains}
     * and the encryption keyset.
     */
    public static GeneratedKeyRing open(Path root, Collection<String> requiredDomains) {
        try {
            SecureFiles.directory(root);
            SecureFiles.directory(root.resolve("hmac"));
            SecureFiles.directory(root.resolve("encrypt"));
            SecureFiles.directory(root.resolve("vault"));
            SecureFiles.directory(root.resolve(ARCHIVE));
            GeneratedKeyRing ring;
            try (FileLock ignored = lock(root)) {
                Map<String, List<Tokeniser>> loaded = new LinkedHashMap<>();
                try (Stream<Path> dirs = Files.list(root.resolve("hmac"))) {
                    for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                        String domain = dir.getFileName().toString();
                        if (KeyRing.NAME.matcher(domain).matches()) {
                            loaded.put(domain, load(dir, domain));
                        }
                    }
                }
                ring = new GeneratedKeyRing(root, Map.copyOf(loaded), loadCipher(root.resolve("encrypt")),
                        loadCipher(root.resolve("vault")), loadArchive(root.resolve(ARCHIVE)));
            }
            for (String domain : requiredDomains) {
                ring.createIfMissing(KeyRing.requireName("key domain", domain));
            }
            return ring;
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the key directory " + root, e);
        }
    }

    @Override
    public Tokeniser tokeniser(String domain) {
        List<Tokeniser> keys = domains.get(domain);
        if (keys != null) {
            return keys.get(0);
        }
        KeyRing.requireName("key domain", domain);
        return createIfMissing(domain).get(0);
    }

    @Override
    public List<Tokeniser> readable(String domain) {
        List<Tokeniser> keys = domains.get(domain);
        return keys != null ? keys : List.of(tokeniser(domain));
    }

    @Override
    public Optional<Tokeniser> byKeyId(String keyId) {
        return domains.values().stream().flatMap(List::stream).filter(t -> t.keyId().equals(keyId)).findFirst();
    }

    @Override
    public List<KeyInfo> keys() {
        List<KeyInfo> out = new ArrayList<>();
        domains.forEach((domain, keys) -> {
            for (int i = 0; i < keys.size(); i++) {
                out.add(new KeyInfo(keys.get(i).keyId(), domain, i == 0 ? KeyStatus.ACTIVE : KeyStatus.RETIRED));
            }
        });
        out.sort(Comparator.comparing(KeyInfo::domain));
        return out;
    }

    @Override
    public synchronized KeyInfo rotate(String domain) {
        KeyRing.requireName("key domain", domain);
        try (FileLock ignored = lock(root)) {
            Path dir = root.resolve("hmac").resolve(domain);
            List<Tokeniser> current = Files.isDirectory(dir) ? load(dir, domain) : List.of();
            Tokeniser fresh = generate(dir, domain);
            List<Tokeniser> keys = new ArrayList<>();
            keys.add(fresh);
            keys.addAll(current);
            publish(domain, keys);
            LOG.info("Activated key {} for key domain {}; {} older key(s) stay readable", fresh.keyId(), domain, current.size());
            return new KeyInfo(fresh.keyId(), domain, KeyStatus.ACTIVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not rotate the key of domain " + domain + " in " + root, e);
        }
    }

    @Override
    public synchronized void destroy(String keyId) {
        KeyRing.requireName("key id", keyId);
        String domain = domains.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(t -> t.keyId().equals(keyId)))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no key " + keyId));
        try (FileLock ignored = lock(root)) {
            Path dir = root.resolve("hmac").resolve(domain);
            List<Tokeniser> current = load(dir, domain);
            if (current.get(0).keyId().equals(keyId)) {
                throw new IllegalStateException("key " + keyId + " is the active key of key domain " + domain);
            }
            Path file = dir.resolve(keyId + SUFFIX);
            // overwrite before deleting, so the material does not linger in the file's old blocks where that helps
            byte[] zeros = new byte[64];
            Files.write(file, zeros, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            Files.delete(file);
            publish(domain, current.stream().filter(t -> !t.keyId().equals(keyId)).toList());
            LOG.info("Destroyed key {} of key domain {}", keyId, domain);
        } catch (IOException e) {
            throw new UncheckedIOException("could not destroy key " + keyId + " in " + root, e);
        }
    }

    @Override
    public FieldCipher cipher() {
        return cipher;
    }

    @Override
    public IdentitySeal identitySeal() {
        return seal;
    }

    @Override
    public ArchiveCipher archiveCipher() {
        return archive;
    }

    private synchronized List<Tokeniser> createIfMissing(String domain) {
        List<Tokeniser> keys = domains.get(domain);
        if (keys != null) {
            return keys;
        }
        try (FileLock ignored = lock(root)) {
            Path dir = root.resolve("hmac").resolve(domain);
            keys = Files.isDirectory(dir) ? load(dir, domain) : List.of();
            if (keys.isEmpty()) {
                keys = List.of(generate(dir, domain));
                LOG.info("Generated key {} for key domain {} in {}", keys.get(0).keyId(), domain, dir);
            }
            publish(domain, keys);
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a key for domain " + domain + " in " + root, e);
        }
    }

    private void publish(String domain, List<Tokeniser> keys) {
        Map<String, List<Tokeniser>> next = new LinkedHashMap<>(domains);
        next.put(domain, List.copyOf(keys));
        domains = Map.copyOf(next);
    }

    /** Writes a new key file, then points {@code active} at it (the switch is one atomic move). */
    private Tokeniser generate(Path dir, String domain) throws IOException {
        SecureFiles.directory(dir);
        byte[] material = new byte[KEY_BYTES];
        random.nextBytes(material);
        String keyId;
        Path file;
        do {
            keyId = newKeyId(domain, random);
            file = dir.resolve(keyId + SUFFIX);
        } while (Files.exists(file));
        SecureFiles.write(file, (Base64.getEncoder().encodeToString(material) + "\n").getBytes(StandardCharsets.US_ASCII), false);
        SecureFiles.write(dir.resolve(ACTIVE), (keyId + "\n").getBytes(StandardCharsets.US_ASCII), true);
        return new Tokeniser(keyId, domain, material);
    }

    /** A fresh key id, {@code <domain>-<yyyyMMdd>-<4 hex>} (today in UTC); unique within a domain only with a collision check. */
    static String newKeyId(String domain, SecureRandom random) {
        byte[] suffix = new byte[2];
        random.nextBytes(suffix);
        return domain + "-" + LocalDate.now(ZoneOffset.UTC).format(DAY) + "-" + HexFormat.of().formatHex(suffix);
    }

    /** A fresh {@link FieldCipher#TEMPLATE} keyset in Tink's JSON keyset format, as the key files hold it. */
    static String newKeysetJson() throws GeneralSecurityException {
        return TinkJsonProtoKeysetFormat.serializeKeyset(FieldCipher.newKeyset(), InsecureSecretKeyAccess.get());
    }

    /** The keys of one domain directory, active first, then the others by id, newest first. */
    private static List<Tokeniser> load(Path dir, String domain) throws IOException {
        SecureFiles.requireOwnerOnly(dir);
        Path activeFile = dir.resolve(ACTIVE);
        if (!Files.exists(activeFile)) {
            return List.of();
        }
        SecureFiles.requireOwnerOnly(activeFile);
        String activeId = Files.readString(activeFile, StandardCharsets.US_ASCII).strip();
        List<Tokeniser> keys = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX))
                    .sorted(Comparator.reverseOrder()).toList()) {
                String name = file.getFileName().toString();
                String keyId = name.substring(0, name.length() - SUFFIX.length());
                SecureFiles.requireOwnerOnly(file);
                Tokeniser key = new Tokeniser(keyId, domain, readKey(file));
                if (keyId.equals(activeId)) {
                    keys.add(0, key);
                } else {
                    keys.add(key);
                }
            }
        }
        if (keys.isEmpty() || !keys.get(0).keyId().equals(activeId)) {
            throw new MissingKeyException(activeFile + ": names key " + activeId + ", but " + dir
                    + " holds no such key file");
        }
        return keys;
    }

    private static byte[] readKey(Path file) throws IOException {
        byte[] material;
        try {
            material = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            // the decoder's message quotes the offending character; never pass it on
            throw new MissingKeyException(file + ": is not base64");
        }
        if (material.length != KEY_BYTES) {
            throw new MissingKeyException(file + ": a key must be " + KEY_BYTES + " bytes");
        }
        return material;
    }

    private static FieldCipher loadCipher(Path dir) throws IOException {
        Path file = dir.resolve("aes256-siv.json");
        try {
            if (!Files.exists(file)) {
                String keyset = newKeysetJson();
                SecureFiles.write(file, keyset.getBytes(StandardCharsets.UTF_8), false);
                LOG.info("Generated an {} keyset in {}", FieldCipher.TEMPLATE, file);
                return new FieldCipher(TinkJsonProtoKeysetFormat.parseKeyset(keyset, InsecureSecretKeyAccess.get()));
            }
            SecureFiles.requireOwnerOnly(file);
            return new FieldCipher(TinkJsonProtoKeysetFormat.parseKeyset(
                    Files.readString(file, StandardCharsets.UTF_8), InsecureSecretKeyAccess.get()));
        } catch (GeneralSecurityException e) {
            throw new MissingKeyException(file + ": is not a usable " + FieldCipher.TEMPLATE + " keyset");
        }
    }

    private static ArchiveCipher loadArchive(Path dir) throws IOException {
        Path file = dir.resolve("aes256-gcm.json");
        try {
            if (!Files.exists(file)) {
                SecureFiles.write(file, newArchiveKeysetJson().getBytes(StandardCharsets.UTF_8), false);
                LOG.info("Generated an {} keyset in {}", ArchiveCipher.MASTER_TEMPLATE, file);
            }
            SecureFiles.requireOwnerOnly(file);
            return new ArchiveCipher(TinkJsonProtoKeysetFormat.parseKeyset(
                    Files.readString(file, StandardCharsets.UTF_8), InsecureSecretKeyAccess.get()));
        } catch (GeneralSecurityException e) {
            throw new MissingKeyException(file + ": is not a usable " + ArchiveCipher.MASTER_TEMPLATE + " keyset");
        }
    }

    /** A fresh archive master keyset ({@link ArchiveCipher#MASTER_TEMPLATE}) in Tink's JSON keyset format. */
    static String newArchiveKeysetJson() throws GeneralSecurityException {
        return TinkJsonProtoKeysetFormat.serializeKeyset(ArchiveCipher.newMasterKeyset(), InsecureSecretKeyAccess.get());
    }

    private static FileLock lock(Path root) throws IOException {
        FileChannel channel = FileChannel.open(root.resolve(".lock"),
                EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(SecureFiles.FILE));
        try {
            return new ClosingLock(channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A file lock that also closes its channel. */
    private static final class ClosingLock extends FileLock {
        private final FileLock lock;

        ClosingLock(FileChannel channel, FileLock lock) {
            super(channel, lock.position(), lock.size(), lock.isShared());
            this.lock = lock;
        }

        @Override public boolean isValid() { return lock.isValid(); }

        @Override public void release() throws IOException {
            try {
                lock.release();
            } finally {
                channel().close();
            }
        }
    }

    @Override
    public String toString() {
        return "GeneratedKeyRing[" + root + ", domains=" + domains.keySet() + "]";
    }
}
