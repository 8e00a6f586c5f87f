package io.caravan.pseudonymise;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * Creates the key files that a configured profile's {@link ConfiguredKeyRing} reads, for a first
 * deployment (the files {@code docker/compose.yaml} mounts as secrets; {@code docker/init-keys.sh}
 * runs this in the image):
 *
 * <pre>
 * java -cp caravan.jar io.caravan.pseudonymise.ConfiguredKeyFiles &lt;directory&gt; [&lt;policies file&gt;]
 *
 * &lt;directory&gt;/                0700
 *   caravan-keys.properties   0600  per key domain caravan.keys.domains.&lt;domain&gt;.active and
 *                                   caravan.keys.material.&lt;key id&gt; (read through spring.config.import)
 *   encryption-keyset.json    0600  the encrypt action's keyset      (caravan.keys.encryption.keyset-file)
 *   vault-keyset.json         0600  the identity vault's own keyset  (caravan.keys.vault.keyset-file)
 *   archive-keyset.json       0600  the archive master key, AES256_GCM (caravan.keys.archive.keyset-file)
 * </pre>
 *
 * <p>Key domains are the required ones ({@link KeyProperties#requiredDomains()} by default) and
 * every key domain a policy of the policies file ({@code config/policies.yaml} by default) names;
 * keys are 32 random bytes with ids as {@link GeneratedKeyRing} makes them, keysets Tink
 * {@link FieldCipher#TEMPLATE} in Tink's JSON keyset format. Nothing existing is replaced: a later
 * run keeps every key and keyset and only adds a key for a domain that has none (a new partner's
 * policy). Prints file names, key domains and key ids, never material.
 */
public final class ConfiguredKeyFiles {
    static final String KEYS = "caravan-keys.properties";
    static final String ENCRYPTION_KEYSET = "encryption-keyset.json";
    static final String VAULT_KEYSET = "vault-keyset.json";
    static final String ARCHIVE_KEYSET = "archive-keyset.json";
    private static final int KEY_BYTES = 32;
    private static final String HEADER = """
            # Caravan's pseudonymisation keys (io.caravan.pseudonymise.ConfiguredKeyFiles): key material.
            # Owner-only, backed up, never committed. Rotating a domain's key: add a new key id and its
            # material, make it the domain's .active, list the old id under .retired, restart.
            """;

    private ConfiguredKeyFiles() {
    }

    public static void main(String[] args) throws IOException, GeneralSecurityException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java -cp caravan.jar " + ConfiguredKeyFiles.class.getName()
                    + " <directory> [<policies file, default config/policies.yaml>]");
            System.exit(2);
        }
        PolicyRegistry policies = PolicyRegistry.load(Path.of(args.length == 2 ? args[1] : "config/policies.yaml"));
        List<String> created = create(Path.of(args[0]), policies);
        if (created.isEmpty()) {
            System.out.println(args[0] + ": every key domain has a key and every keyset exists; nothing created");
        }
        created.forEach(System.out::println);
    }

    /** Creates in {@code directory} whatever is missing; answers one line per key or keyset created. */
    static List<String> create(Path directory, PolicyRegistry policies) throws IOException, GeneralSecurityException {
        SecureFiles.directory(directory);
        SecureRandom random = new SecureRandom();
        List<String> created = new ArrayList<>(keys(directory.resolve(KEYS), domains(policies), random));
        created.addAll(keyset(directory.resolve(ENCRYPTION_KEYSET), "the encrypt action"));
        created.addAll(keyset(directory.resolve(VAULT_KEYSET), "the identity vault"));
        Path archive = directory.resolve(ARCHIVE_KEYSET);
        if (!Files.exists(archive)) {
            SecureFiles.write(archive, GeneratedKeyRing.newArchiveKeysetJson().getBytes(StandardCharsets.UTF_8), false);
            created.add(archive + ": " + ArchiveCipher.MASTER_TEMPLATE + " keyset of the archive of partner files");
        }
        return created;
    }

    /** The required key domains, then every policy's, in the policies file's order, then the data products'. */
    private static Set<String> domains(PolicyRegistry policies) {
        Set<String> domains = new LinkedHashSet<>(new KeyProperties(null, null, null, null, null, null, null, null).requiredDomains());
        policies.all().forEach(policy -> domains.add(policy.keyDomain()));
        domains.add(KeyRing.DATA_PRODUCTS); // so data products can be switched on without a new key file
        return domains;
    }

    private static List<String> keys(Path file, Set<String> domains, SecureRandom random) throws IOException {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : HEADER;
        Properties existing = new Properties();
        existing.load(new StringReader(text));
        StringBuilder added = new StringBuilder();
        List<String> created = new ArrayList<>();
        for (String domain : domains) {
            if (existing.getProperty("caravan.keys.domains." + domain + ".active") != null) {
                continue;
            }
            String keyId;
            do {
                keyId = GeneratedKeyRing.newKeyId(KeyRing.requireName("key domain", domain), random);
            } while (existing.containsKey("caravan.keys.material." + keyId));
            byte[] material = new byte[KEY_BYTES];
            random.nextBytes(material);
            added.append("\n# key domain ").append(domain).append('\n')
                    .append("caravan.keys.domains.").append(domain).append(".active=").append(keyId).append('\n')
                    .append("caravan.keys.material.").append(keyId).append('=')
                    .append(Base64.getEncoder().encodeToString(material)).append('\n');
            created.add(file + ": key " + keyId + " (key domain " + domain + ")");
        }
        if (!created.isEmpty()) {
            SecureFiles.write(file, (text + added).getBytes(StandardCharsets.ISO_8859_1), true);
        }
        return created;
    }

    private static List<String> keyset(Path file, String what) throws IOException, GeneralSecurityException {
        if (Files.exists(file)) {
            return List.of();
        }
        SecureFiles.write(file, GeneratedKeyRing.newKeysetJson().getBytes(StandardCharsets.UTF_8), false);
        return List.of(file + ": " + FieldCipher.TEMPLATE + " keyset of " + what);
    }
}
