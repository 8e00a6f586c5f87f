package io.caravan.pseudonymise;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The key ring of every non-embedded profile: exactly the keys that {@link KeyProperties} names,
 * backed by environment variables or files. Construction validates every configured domain and
 * the {@linkplain KeyProperties#requiredDomains() required} ones, and fails with a
 * {@link MissingKeyException} naming the domain and property to set, never a value.
 *
 * <p>Immutable and thread-safe. {@link #rotate} is not supported: the operator configures a new
 * active key (and lists the old one as retired) and restarts.
 */
public final class ConfiguredKeyRing implements KeyRing {
    private static final int KEY_BYTES = 32;
    private static final String PREFIX = "caravan.keys.";

    private final Map<String, List<Tokeniser>> domains;
    private final Map<String, Tokeniser> byId;
    private final FieldCipher cipher;
    private final String cipherProblem;
    private final IdentitySeal seal;
    private final String sealProblem;
    private final ArchiveCipher archive;

    private ConfiguredKeyRing(Map<String, List<Tokeniser>> domains, FieldCipher cipher, String cipherProblem,
                              FieldCipher vault, String sealProblem, ArchiveCipher archive) {
        this.domains = Map.copyOf(domains);
        Map<String, Tokeniser> ids = new HashMap<>();
        domains.values().forEach(keys -> keys.forEach(k -> ids.put(k.keyId(), k)));
        this.byId = Map.copyOf(ids);
        this.cipher = cipher;
        this.cipherProblem = cipherProblem;
        this.seal = vault == null ? null : new IdentitySeal(vault);
        this.sealProblem = sealProblem;
        this.archive = archive;
    }

    /** Builds the ring from configuration, or refuses with the first missing or unusable key. */
    public static ConfiguredKeyRing from(KeyProperties properties) {
        Map<String, String> material = canonical(properties.material());
        Map<String, String> materialFiles = canonical(properties.materialFile());
        for (String domain : properties.requiredDomains()) {
            KeyProperties.Domain configured = properties.domains().get(domain);
            if (configured == null || configured.active() == null || configured.active().isBlank()) {
                throw new MissingKeyException("no active key configured for key domain '" + domain
                        + "': set " + PREFIX + "domains." + domain + ".active to a key id and "
                        + PREFIX + "material.<key id> (or material-file.<key id>) to its key");
            }
        }
        Map<String, List<Tokeniser>> domains = new LinkedHashMap<>();
        new TreeMap<>(properties.domains()).forEach((domain, configured) -> {
            KeyRing.requireName("key domain", domain);
            if (configured.active() == null || configured.active().isBlank()) {
                throw new MissingKeyException(PREFIX + "domains." + domain + ".active: missing (key domain '" + domain + "')");
            }
            List<Tokeniser> keys = new ArrayList<>();
            keys.add(key(domain, configured.active(), "active", material, materialFiles));
            for (String retired : configured.retired()) {
                keys.add(key(domain, retired, "retired", material, materialFiles));
            }
            domains.put(domain, keys);
        });
        FieldCipher cipher = keyset(properties.encryption(), "encryption");
        FieldCipher vault = keyset(properties.vault(), "vault");
        return new ConfiguredKeyRing(domains, cipher, missingKeyset("encryption", "the encrypt action"),
                vault, missingKeyset("vault", "the identity vault (sealed identifiers for the re-key job)"),
                archive(properties.archive()));
    }

    /** The archive master keyset, or null when none is configured; one that does not parse refuses start-up. */
    private static ArchiveCipher archive(KeyProperties.Encryption configured) {
        if (configured.keysetFile() == null && configured.keyset() == null) {
            return null;
        }
        String property = PREFIX + "archive" + (configured.keysetFile() != null ? ".keyset-file" : ".keyset");
        String json = configured.keysetFile() != null ? read(Path.of(configured.keysetFile()), property) : configured.keyset();
        try {
            return new ArchiveCipher(TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new MissingKeyException(property + ": is not a usable Tink " + ArchiveCipher.MASTER_TEMPLATE + " keyset");
        }
    }

    private static String missingKeyset(String name, String what) {
        return "no " + name + " keyset configured for " + what + ": set " + PREFIX + name + ".keyset-file (or "
                + PREFIX + name + ".keyset) to a Tink " + FieldCipher.TEMPLATE + " keyset";
    }

    /** The configured keyset, or null when there is none; a keyset that does not parse refuses start-up. */
    private static FieldCipher keyset(KeyProperties.Encryption configured, String name) {
        if (configured.keysetFile() == null && configured.keyset() == null) {
            return null;
        }
        String property = PREFIX + name + (configured.keysetFile() != null ? ".keyset-file" : ".keyset");
        String json = configured.keysetFile() != null ? read(Path.of(configured.keysetFile()), property) : configured.keyset();
        try {
            return new FieldCipher(TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new MissingKeyException(property + ": is not a usable Tink " + FieldCipher.TEMPLATE + " keyset");
        }
    }

    @Override
    public Tokeniser tokeniser(String domain) {
        List<Tokeniser> keys = domains.get(domain);
        if (keys == null) {
            throw new MissingKeyException("no active key configured for key domain '" + domain + "': set "
                    + PREFIX + "domains." + domain + ".active and " + PREFIX + "material.<key id>");
        }
        return keys.get(0);
    }

    @Override
    public List<Tokeniser> readable(String domain) {
        List<Tokeniser> keys = domains.get(domain);
        return keys != null ? keys : List.of(tokeniser(domain));
    }

    @Override
    public Optional<Tokeniser> byKeyId(String keyId) {
        return Optional.ofNullable(byId.get(keyId));
    }

    @Override
    public List<KeyInfo> keys() {
        List<KeyInfo> out = new ArrayList<>();
        new TreeMap<>(domains).forEach((domain, keys) -> {
            for (int i = 0; i < keys.size(); i++) {
                out.add(new KeyInfo(keys.get(i).keyId(), domain, i == 0 ? KeyStatus.ACTIVE : KeyStatus.RETIRED));
            }
        });
        return out;
    }

    @Override
    public KeyInfo rotate(String domain) {
        throw new UnsupportedOperationException("keys of key domain '" + domain + "' come from configuration: set "
                + PREFIX + "domains." + domain + ".active to the new key id, list the old one under .retired, and restart");
    }

    @Override
    public FieldCipher cipher() {
        if (cipher == null) {
            throw new MissingKeyException(cipherProblem);
        }
        return cipher;
    }

    @Override
    public IdentitySeal identitySeal() {
        if (seal == null) {
            throw new MissingKeyException(sealProblem);
        }
        return seal;
    }

    @Override
    public ArchiveCipher archiveCipher() {
        if (archive == null) {
            throw new MissingKeyException("no archive keyset configured for the archive of partner files (key domain '"
                    + ARCHIVE + "'): set " + PREFIX + "archive.keyset-file (or " + PREFIX + "archive.keyset) to a Tink "
                    + ArchiveCipher.MASTER_TEMPLATE + " keyset");
        }
        return archive;
    }

    private static Tokeniser key(String domain, String keyId, String role,
                                 Map<String, String> material, Map<String, String> materialFiles) {
        String id = keyId.strip();
        KeyRing.requireName("key id", id);
        String canonical = canonicalId(id);
        String encoded;
        String property;
        if (material.containsKey(canonical)) {
            property = PREFIX + "material." + id;
            encoded = material.get(canonical);
        } else if (materialFiles.containsKey(canonical)) {
            property = PREFIX + "material-file." + id;
            encoded = read(Path.of(materialFiles.get(canonical)), property);
        } else {
            throw new MissingKeyException("no key material for key " + id + " (" + role + " key of key domain '"
                    + domain + "'): set " + PREFIX + "material." + id + " or " + PREFIX + "material-file." + id);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encoded.strip());
        } catch (IllegalArgumentException e) {
            // the decoder's message quotes the offending character; never pass it on
            throw new MissingKeyException(property + ": is not base64 (key domain '" + domain + "')");
        }
        if (bytes.length != KEY_BYTES) {
            throw new MissingKeyException(property + ": a key must be " + KEY_BYTES + " random bytes, base64-encoded"
                    + " (key domain '" + domain + "')");
        }
        return new Tokeniser(id, domain, bytes);
    }

    private static String read(Path file, String property) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MissingKeyException(property + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Map<String, String> canonical(Map<String, String> byId) {
        Map<String, String> out = new HashMap<>();
        byId.forEach((id, value) -> out.put(canonicalId(id), value));
        return out;
    }

    /** Key ids as configured through env vars lose their dashes; compare with {@code .} and {@code _} as {@code -}. */
    private static String canonicalId(String id) {
        return id.strip().toLowerCase(Locale.ROOT).replace('.', '-').replace('_', '-');
    }

    @Override
    public String toString() {
        return "ConfiguredKeyRing[domains=" + new TreeMap<>(domains).keySet() + "]";
    }
}
