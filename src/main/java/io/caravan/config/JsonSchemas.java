package io.caravan.config;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * The one way Caravan's configuration files are checked against their JSON Schemas (2020-12, on the
 * class path): every problem comes back as a {@link Problem} whose path is a JSON path
 * ({@code $.fields.vin.type}, {@code $.partners[0]}), sorted by path, so each loader can name the
 * file and the path. A problem's text never quotes the offending value, except where a loader
 * chooses to for an enumeration (a configuration value, never personal data).
 *
 * <p>Stateless and thread-safe; schemas are immutable once loaded.
 */
public final class JsonSchemas {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_PATH).build()));

    private static final Map<String, Schema> LOADED = new ConcurrentHashMap<>();

    private JsonSchemas() {
    }

    /**
     * One schema violation.
     *
     * @param path     where in the document, as a JSON path starting with {@code $}
     * @param keyword  the schema keyword that failed ({@code required}, {@code enum}, {@code additionalProperties}, ...)
     * @param property the property a {@code required} or {@code additionalProperties} problem is about, else null
     * @param node     the offending node (for a loader's own wording; never put it in a message blindly)
     * @param message  the validator's description, without the path
     */
    public record Problem(String path, String keyword, String property, JsonNode node, String message) {
        /** {@code $.path: message}. */
        @Override
        public String toString() {
            return path + ": " + message;
        }
    }

    /**
     * A schema from the class path, read once per resource and shared (schemas are immutable); a missing or
     * unreadable schema is a packaging error.
     */
    public static Schema load(String resource) {
        return LOADED.computeIfAbsent(resource, JsonSchemas::read);
    }

    private static Schema read(String resource) {
        try (InputStream in = JsonSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema " + resource + " is not on the class path");
            }
            return REGISTRY.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException("schema " + resource + " cannot be read", e);
        }
    }

    /** Every violation of {@code schema} in {@code document}, sorted by path, then by message. */
    public static List<Problem> validate(Schema schema, JsonNode document) {
        return schema.validate(document).stream().map(JsonSchemas::problem)
                .sorted(Comparator.comparing(Problem::path).thenComparing(Problem::message))
                .toList();
    }

    private static Problem problem(Error error) {
        String path = error.getInstanceLocation().toString();
        String message = error.getMessage();
        if (message.startsWith(path + ": ")) {
            message = message.substring(path.length() + 2);
        }
        return new Problem(path, error.getKeyword(), error.getProperty(), error.getInstanceNode(), message);
    }
}
