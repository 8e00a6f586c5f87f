package io.caravan.pseudonymise;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.keys.*}: where pseudonymisation keys come from.
 *
 * <pre>
 * caravan.keys.generate=true|false          default: true when no Spring profile is active
 * caravan.keys.required-domains=warehouse,suppression   domains that must have a key at start-up
 * caravan.keys.domains.&lt;domain&gt;.active=&lt;key id&gt;
 * caravan.keys.domains.&lt;domain&gt;.retired=&lt;key id&gt;,...
 * caravan.keys.material.&lt;key id&gt;=&lt;base64 of 32 bytes&gt;        (e.g. from an env var or configtree)
 * caravan.keys.material-file.&lt;key id&gt;=&lt;path to a file holding the base64&gt;
 * caravan.keys.encryption.keyset=&lt;Tink JSON keyset&gt;  or  caravan.keys.encryption.keyset-file=&lt;path&gt;
 * caravan.keys.vault.keyset=&lt;Tink JSON keyset&gt;       or  caravan.keys.vault.keyset-file=&lt;path&gt;
 * caravan.keys.archive.keyset=&lt;Tink JSON keyset&gt;     or  caravan.keys.archive.keyset-file=&lt;path&gt;
 * </pre>
 *
 * <p>{@code encryption} is the keyset of the {@code encrypt} action (re-identification);
 * {@code vault} is the separate keyset that seals the identifiers behind warehouse tokens for the
 * re-key job (see {@link IdentitySeal}); both are Tink {@code AES256_SIV} keysets. {@code archive}
 * is the master key (Tink {@code AES256_GCM}) that wraps the per-file data keys of kept partner
 * files (see {@link ArchiveCipher}).
 *
 * <p>Key ids in {@code material} and {@code material-file} are matched with {@code .} and
 * {@code _} read as {@code -}, so {@code CARAVAN_KEYS_MATERIAL_WAREHOUSE_20261123_1A2B} names key
 * {@code warehouse-20261123-1a2b}. {@link #toString()} lists key ids, never material.
 */
@ConfigurationProperties("caravan.keys")
public record KeyProperties(
        Boolean generate,
        List<String> requiredDomains,
        Map<String, Domain> domains,
        Map<String, String> material,
        Map<String, String> materialFile,
        Encryption encryption,
        Encryption vault,
        Encryption archive) {

    public KeyProperties {
        requiredDomains = requiredDomains == null || requiredDomains.isEmpty()
                ? List.of(KeyRing.WAREHOUSE, KeyRing.SUPPRESSION) : List.copyOf(requiredDomains);
        domains = domains == null ? Map.of() : Map.copyOf(domains);
        material = material == null ? Map.of() : Map.copyOf(material);
        materialFile = materialFile == null ? Map.of() : Map.copyOf(materialFile);
        encryption = encryption == null ? new Encryption(null, null) : encryption;
        vault = vault == null ? new Encryption(null, null) : vault;
        archive = archive == null ? new Encryption(null, null) : archive;
    }

    /** One key domain: the active key id and the retired ones still readable. */
    public record Domain(String active, List<String> retired) {
        public Domain {
            retired = retired == null ? List.of() : List.copyOf(retired);
        }
    }

    /** A Tink keyset, inline (JSON) or as a file path. */
    public record Encryption(String keyset, String keysetFile) {
        @Override
        public String toString() {
            return "Encryption[keyset=" + (keyset == null ? "unset" : "****") + ", keysetFile=" + keysetFile + "]";
        }
    }

    @Override
    public String toString() {
        return "KeyProperties[generate=" + generate + ", requiredDomains=" + requiredDomains
                + ", domains=" + new TreeMap<>(domains) + ", material for " + new TreeMap<>(material).keySet()
                + ", materialFile=" + new TreeMap<>(materialFile) + ", encryption=" + encryption + ", vault=" + vault
                + ", archive=" + archive + "]";
    }
}
