package io.caravan.consent;

import io.caravan.config.ConfigFiles;
import io.caravan.connector.DataClass;
import io.caravan.error.ConfigException;
import tools.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The purposes of {@code config/purposes.yaml}, validated against {@code purposes.schema.json}
 * when loaded (a {@link ConfigException} names the file and path). Immutable, thread-safe.
 */
public final class PurposeRegistry {
    private static final String SCHEMA = "/io/caravan/consent/purposes.schema.json";

    private final Path file;
    private final Map<String, Purpose> purposes;

    PurposeRegistry(Path file, Map<String, Purpose> purposes) {
        this.file = file;
        this.purposes = Map.copyOf(purposes);
    }

    public static PurposeRegistry load(Path file) {
        JsonNode root = ConfigFiles.read(file, SCHEMA);
        Map<String, Purpose> purposes = new LinkedHashMap<>();
        root.get("purposes").properties().forEach(entry -> {
            JsonNode node = entry.getValue();
            purposes.put(entry.getKey(), new Purpose(entry.getKey(),
                    LegalBasis.fromDb(node.get("basis").asString()),
                    node.get("title").asString(),
                    node.path("description").asText(""),
                    DataClass.of(node.path("dataClasses").valueStream().map(JsonNode::asString).toList(), DataClass.all())));
        });
        return new PurposeRegistry(file, purposes);
    }

    public Optional<Purpose> find(String id) {
        return Optional.ofNullable(purposes.get(id));
    }

    /** The purpose, or an {@link IllegalArgumentException} naming the known ones. */
    public Purpose require(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException(
                "unknown purpose '" + id + "' (" + file + " defines " + ids() + ")"));
    }

    public Set<String> ids() {
        return new java.util.TreeSet<>(purposes.keySet());
    }

    @Override
    public String toString() {
        return "PurposeRegistry[" + file + ": " + ids() + "]";
    }
}
