package io.caravan.exchange;

import io.caravan.error.ConfigException;
import tools.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import io.caravan.config.ConfigFiles;
import io.caravan.config.JsonSchemas;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Reads {@code partners.yaml}: {@code partners: [{id, name, publicKeys: [OpenSSH lines], routes: [ids]}]}.
 *
 * <p>The file is validated against {@code partners.schema.json} and then for what a schema
 * cannot say: ids are unique, every key line parses, its type is one the gateway accepts
 * ({@link #ACCEPTED_KEY_TYPES}; RSA at least {@value #MIN_RSA_BITS} bits), and no key is
 * authorised for two partners. Every error is a {@link ConfigException} whose message names
 * the file and the JSON path, all errors at once, sorted by path. Messages never repeat a value
 * from the file: key lines carry comments that are often e-mail addresses, so the parser's own
 * message (which may quote the line) is not chained.
 *
 * <p>Stateless and thread-safe.
 */
public final class PartnersFile {

    /** OpenSSH key types a partner may authorise. DSA is refused; RSA keys sign with rsa-sha2-*. */
    static final Set<String> ACCEPTED_KEY_TYPES = Set.of(
            "ssh-ed25519", "sk-ssh-ed25519@openssh.com",
            "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
            "sk-ecdsa-sha2-nistp256@openssh.com", "ssh-rsa");

    static final int MIN_RSA_BITS = 2048;

    /** Never the parser's reason: a key line's comment is often an e-mail address. */
    private static final ConfigFiles.Wording WORDING = new ConfigFiles.Wording(
            "file not found (set caravan.sftp.gateway.enabled=false to run without the SFTP gateway)",
            (display, e) -> display + ": not valid YAML"
                    + (e.getLocation() == null ? "" : " at " + ConfigFiles.position(e)));
    private static final Schema SCHEMA = JsonSchemas.load("/io/caravan/exchange/partners.schema.json");

    private PartnersFile() {
    }

    /**
     * Loads and validates the partners file.
     *
     * @param file    the file to read
     * @param display how the file is named in error messages (usually the configured path)
     * @return the partners, in file order
     * @throws ConfigException if the file is missing, unreadable or invalid
     */
    /** Reads and checks the partners file as {@link #load} does (for the {@code validate} command). */
    public static void check(Path file, String display) {
        load(file, display);
    }

    /**
     * Each partner's {@code routes:} (the routes its inbox feeds), by partner id in file order; checked by
     * {@code validate} against the routes that read the partner's inbox.
     *
     * @throws ConfigException if the file is missing, unreadable or invalid
     */
    public static java.util.Map<String, List<String>> routes(Path file, String display) {
        java.util.Map<String, List<String>> routes = new java.util.LinkedHashMap<>();
        load(file, display).forEach(p -> routes.put(p.id(), p.routes()));
        return routes;
    }

    static List<Partner> load(Path file, String display) {
        JsonNode root = ConfigFiles.parse(file, display, WORDING);
        return parse(root, display);
    }

    /** Validates an already parsed document; {@code display} names it in error messages. */
    static List<Partner> parse(JsonNode root, String display) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(ConfigException.Code.INVALID, display + ": $: file is empty; expected 'partners:'");
        }
        List<String> errors = new ArrayList<>();
        for (JsonSchemas.Problem problem : JsonSchemas.validate(SCHEMA, root)) {
            errors.add(problem.toString());
        }
        if (!errors.isEmpty()) {
            throw failure(display, errors);
        }
        List<Partner> partners = new ArrayList<>();
        Map<String, String> idPaths = new HashMap<>();
        Map<PublicKeyId, String> keyPaths = new HashMap<>();
        JsonNode list = root.path("partners");
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            String path = "$.partners[" + i + "]";
            String id = node.path("id").asString();
            String first = idPaths.putIfAbsent(id, path + ".id");
            if (first != null) {
                errors.add(path + ".id: duplicate of " + first);
            }
            List<PublicKey> keys = new ArrayList<>();
            JsonNode lines = node.path("publicKeys");
            for (int k = 0; k < lines.size(); k++) {
                String keyPath = path + ".publicKeys[" + k + "]";
                PublicKey key = parseKey(lines.get(k).asString(), keyPath, errors);
                if (key != null) {
                    String other = keyPaths.putIfAbsent(new PublicKeyId(key), keyPath);
                    if (other != null) {
                        errors.add(keyPath + ": same key as " + other);
                    }
                    keys.add(key);
                }
            }
            List<String> routes = new ArrayList<>();
            node.path("routes").forEach(r -> routes.add(r.asString()));
            partners.add(new Partner(id, node.path("name").asString(), keys, routes));
        }
        if (!errors.isEmpty()) {
            throw failure(display, errors);
        }
        return List.copyOf(partners);
    }

    private static PublicKey parseKey(String line, String path, List<String> errors) {
        PublicKey key;
        try {
            AuthorizedKeyEntry entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line);
            key = entry == null ? null : entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            key = null;
        }
        if (key == null) {
            errors.add(path + ": not an OpenSSH public key line (expected 'ssh-ed25519 AAAA... comment')");
            return null;
        }
        String type = KeyUtils.getKeyType(key);
        if (!ACCEPTED_KEY_TYPES.contains(type)) {
            errors.add(path + ": key type " + type + " is not accepted; use ssh-ed25519");
            return null;
        }
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            errors.add(path + ": RSA key has " + rsa.getModulus().bitLength() + " bits, at least "
                    + MIN_RSA_BITS + " are required");
            return null;
        }
        return key;
    }

    private static ConfigException failure(String display, List<String> errors) {
        errors.sort(Comparator.naturalOrder());
        return new ConfigException(ConfigException.Code.INVALID, display + ": " + String.join("; " + display + ": ", errors));
    }

    /** A public key compared by its encoding (keys of different providers may not be equal()). */
    private record PublicKeyId(String type, String encoded) {
        PublicKeyId(PublicKey key) {
            this(KeyUtils.getKeyType(key), java.util.Base64.getEncoder().encodeToString(key.getEncoded()));
        }
    }
}
