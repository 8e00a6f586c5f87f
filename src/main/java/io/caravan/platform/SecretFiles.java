package io.caravan.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets the embedded default generates on first start and keeps for later starts, one file per
 * secret in a directory readable by its owner only (directory {@code 0700}, files {@code 0600},
 * like an SSH host key). A generated secret is 32 characters of URL-safe base64 (192 random bits).
 *
 * <p>Thread-safe. Secret values are never logged; log lines name the secret, not its value.
 */
final class SecretFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SecretFiles.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;

    public SecretFiles(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The directory that holds the secrets. */
    public Path dir() {
        return dir;
    }

    /**
     * The secret called {@code name}: read from its file when it exists, otherwise generated and
     * written (owner-only) before it is returned.
     *
     * @throws IllegalArgumentException when the name is not a lower-case identifier with dashes
     * @throws UncheckedIOException when the file cannot be read or written
     */
    public synchronized String getOrCreate(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("secret names are lower-case identifiers with dashes");
        }
        Path file = dir.resolve(name);
        try {
            if (Files.exists(file)) {
                if (!OwnerOnlyFiles.isOwnerOnly(file)) {
                    LOG.warn("Secret file {} is readable by others than its owner; restrict it to 0600", file);
                }
                String value = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (value.isEmpty()) {
                    throw new IllegalStateException("secret file " + file + " is empty; remove it to generate a new secret");
                }
                return value;
            }
            OwnerOnlyFiles.createDirectories(dir);
            String value = generate();
            OwnerOnlyFiles.writeAtomically(file, value + "\n");
            LOG.info("Generated secret '{}' in {}", name, dir);
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read or create secret '" + name + "' in " + dir, e);
        }
    }

    /** A new random secret: 32 characters from {@code A-Z a-z 0-9 - _}. */
    public static String generate() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
