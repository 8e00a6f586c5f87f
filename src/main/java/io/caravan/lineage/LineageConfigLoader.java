package io.caravan.lineage;

import com.fasterxml.jackson.core.type.TypeReference;
import io.caravan.config.ConfigFiles;
import io.caravan.error.ConfigException;
import io.caravan.error.ConfigException.Code;
import io.openlineage.client.OpenLineageClientException;
import io.openlineage.client.OpenLineageClientUtils;
import io.openlineage.client.OpenLineageConfig;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the OpenLineage client configuration the way every OpenLineage integration does, and checks
 * it before anything is sent:
 *
 * <ol>
 *   <li>the file named by {@code OPENLINEAGE_CONFIG}, else {@code openlineage.yml} in the working
 *       directory, else {@code ~/.openlineage/openlineage.yml} (the first that exists);</li>
 *   <li>over it, the {@code OPENLINEAGE__...} environment variables, one per leaf, {@code __} nesting
 *       and snake case turned into camel case ({@code OPENLINEAGE__TRANSPORT__TIMEOUT_IN_MILLIS=3000}
 *       sets {@code transport.timeoutInMillis}); the legacy {@code OPENLINEAGE_URL} (with
 *       {@code OPENLINEAGE_ENDPOINT}, {@code OPENLINEAGE_API_KEY}) sets an {@code http} transport;</li>
 *   <li>{@code OPENLINEAGE_DISABLED=true} turns lineage off altogether.</li>
 * </ol>
 *
 * <p>A configuration without a transport means the embedded default (events kept in the
 * warehouse database). A malformed file, an unknown transport type, a URL that is not
 * {@code http}/{@code https} (or has no host), a file transport without a location or a Kafka
 * transport without a topic or bootstrap servers is a {@link ConfigException} naming the file and
 * JSON path, or the environment variable, that holds the fault; never a configured value (URLs and
 * headers may carry credentials). Pure apart from reading the file; thread-safe.
 */
public final class LineageConfigLoader {
    /** The transport types of the OpenLineage Java client that Caravan supports. */
    static final Set<String> TRANSPORT_TYPES = Set.of("http", "console", "file", "kafka");
    private static final String PREFIX = "OPENLINEAGE__";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, String> env;
    private final Path workingDir;
    private final Path home;

    /**
     * @param env        the environment (System.getenv() in production; a map in tests)
     * @param workingDir where {@code openlineage.yml} is looked for
     * @param home       the user's home, for {@code ~/.openlineage/openlineage.yml}; may be null
     */
    public LineageConfigLoader(Map<String, String> env, Path workingDir, Path home) {
        this.env = Map.copyOf(env);
        this.workingDir = workingDir;
        this.home = home;
    }

    /** What was found: the merged configuration, where it came from, and whether it names a transport. */
    public record Loaded(boolean disabled, Optional<OpenLineageConfig<?>> config, String source, String transportType) {
        /** True when no transport is configured: events are kept in the database only. */
        public boolean embeddedDefault() {
            return !disabled && config.isEmpty();
        }
    }

    /**
     * Loads and checks the configuration.
     *
     * @throws ConfigException naming the file and path, or the variable, of the first fault
     */
    public Loaded load() {
        if ("true".equalsIgnoreCase(env.getOrDefault("OPENLINEAGE_DISABLED", "").strip())) {
            return new Loaded(true, Optional.empty(), "OPENLINEAGE_DISABLED", null);
        }
        Optional<Path> file = configFile();
        String display = file.map(f -> f.equals(workingDir.resolve("openlineage.yml")) ? "openlineage.yml" : f.toString())
                .orElse(null);
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        if (file.isPresent()) {
            JsonNode document = ConfigFiles.parse(file.get(), display, ConfigFiles.Wording.STANDARD);
            if (document != null && !document.isMissingNode() && !document.isNull()) {
                if (!document.isObject()) {
                    throw new ConfigException(Code.INVALID, display + ": $: must be a mapping (transport:, facets:, ...)");
                }
                merged.setAll((ObjectNode) document);
            }
        }
        Map<String, String> origin = new TreeMap<>();
        applyLegacyUrl(merged, origin);
        applyEnvironment(merged, origin);
        JsonNode transport = merged.path("transport");
        if (transport.isMissingNode() || transport.isNull()) {
            return new Loaded(false, Optional.empty(), display == null ? "embedded default" : display, null);
        }
        Where where = new Where(display, origin);
        if (!transport.isObject()) {
            throw where.fault("transport", "must be a mapping with a type");
        }
        String type = transport.path("type").asString("");
        if (type.isBlank()) {
            throw where.fault("transport.type", "missing (valid: " + String.join(", ", new java.util.TreeSet<>(TRANSPORT_TYPES)) + ")");
        }
        if (!TRANSPORT_TYPES.contains(type)) {
            throw where.fault("transport.type", "unknown transport type '" + safe(type) + "' (valid: "
                    + String.join(", ", new java.util.TreeSet<>(TRANSPORT_TYPES)) + ")");
        }
        switch (type) {
            case "http" -> checkUrl(transport.path("url").asString(""), where);
            case "file" -> {
                if (transport.path("location").asString("").isBlank()) {
                    throw where.fault("transport.location", "missing: the file the events are appended to");
                }
            }
            case "kafka" -> {
                if (transport.path("topicName").asString("").isBlank()) {
                    throw where.fault("transport.topicName", "missing: the topic the events are sent to");
                }
                if (transport.path("properties").path("bootstrap.servers").asString("").isBlank()) {
                    throw where.fault("transport.properties.bootstrap.servers", "missing: the Kafka brokers");
                }
            }
            default -> {
                // console needs nothing
            }
        }
        try {
            OpenLineageConfig<?> config = OpenLineageClientUtils.loadOpenLineageConfigJson(
                    new ByteArrayInputStream(JSON.writeValueAsBytes(merged)), new TypeReference<OpenLineageConfig<?>>() { });
            return new Loaded(false, Optional.of(config), display == null ? "environment" : display, type);
        } catch (OpenLineageClientException | IllegalArgumentException e) {
            // the client's own message may quote a configured value: name the place only
            throw new ConfigException(Code.INVALID, (display == null ? "OPENLINEAGE__TRANSPORT__*" : display + ": $.transport")
                    + ": not a valid OpenLineage " + type + " transport configuration (see the OpenLineage Java client's "
                    + type + " transport options)");
        }
    }

    private Optional<Path> configFile() {
        String named = env.get("OPENLINEAGE_CONFIG");
        if (named != null && !named.isBlank()) {
            Path path = workingDir.resolve(named.strip());
            if (!Files.isRegularFile(path)) {
                throw new ConfigException(Code.MISSING, "OPENLINEAGE_CONFIG: names " + path + ", which is not a readable file");
            }
            return Optional.of(path);
        }
        List<Path> candidates = new ArrayList<>();
        candidates.add(workingDir.resolve("openlineage.yml"));
        if (home != null) {
            candidates.add(home.resolve(".openlineage").resolve("openlineage.yml"));
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst();
    }

    private void applyLegacyUrl(ObjectNode merged, Map<String, String> origin) {
        String url = env.get("OPENLINEAGE_URL");
        if (url == null || url.isBlank()) {
            return;
        }
        ObjectNode transport = JsonNodeFactory.instance.objectNode();
        transport.put("type", "http");
        transport.put("url", url.strip());
        origin.put("transport.type", "OPENLINEAGE_URL");
        origin.put("transport.url", "OPENLINEAGE_URL");
        String endpoint = env.get("OPENLINEAGE_ENDPOINT");
        if (endpoint != null && !endpoint.isBlank()) {
            transport.put("endpoint", endpoint.strip());
        }
        String apiKey = env.get("OPENLINEAGE_API_KEY");
        if (apiKey != null && !apiKey.isBlank()) {
            transport.putObject("auth").put("type", "api_key").put("apiKey", apiKey.strip());
        }
        merged.set("transport", transport);
    }

    private void applyEnvironment(ObjectNode merged, Map<String, String> origin) {
        Map<String, String> sorted = new TreeMap<>(env);
        for (Map.Entry<String, String> entry : sorted.entrySet()) {
            if (!entry.getKey().startsWith(PREFIX) || entry.getKey().length() == PREFIX.length()) {
                continue;
            }
            String[] segments = entry.getKey().substring(PREFIX.length()).split("__");
            List<String> path = new ArrayList<>();
            ObjectNode node = merged;
            for (int i = 0; i < segments.length; i++) {
                String key = camel(segments[i]);
                path.add(key);
                if (i == segments.length - 1) {
                    node.set(key, scalar(entry.getValue()));
                } else {
                    JsonNode child = node.get(key);
                    if (!(child instanceof ObjectNode)) {
                        child = node.putObject(key);
                    }
                    node = (ObjectNode) child;
                }
            }
            origin.put(String.join(".", path), entry.getKey());
        }
    }

    private static JsonNode scalar(String value) {
        String text = value.strip();
        if (text.matches("-?\\d{1,9}")) {
            return JsonNodeFactory.instance.numberNode(Integer.parseInt(text));
        }
        if (text.equals("true") || text.equals("false")) {
            return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(text));
        }
        return JsonNodeFactory.instance.stringNode(text);
    }

    /** {@code TIMEOUT_IN_MILLIS} → {@code timeoutInMillis}, {@code TRANSPORT} → {@code transport}. */
    static String camel(String snake) {
        String[] words = snake.toLowerCase(Locale.ROOT).split("_");
        StringBuilder out = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            if (!words[i].isEmpty()) {
                out.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
            }
        }
        return out.toString();
    }

    private static void checkUrl(String url, Where where) {
        if (url.isBlank()) {
            throw where.fault("transport.url", "missing: the lineage backend's URL (e.g. http://marquez:5000)");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw where.fault("transport.url", "not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw where.fault("transport.url", "unsupported URL scheme '" + safe(scheme) + "' (valid: http, https)");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw where.fault("transport.url", "has no host");
        }
    }

    /** A type or scheme is a word from the configuration's vocabulary, never a secret; cut it short anyway. */
    private static String safe(String word) {
        String cleaned = word.replaceAll("[^A-Za-z0-9_.+-]", "?");
        return cleaned.length() > 20 ? cleaned.substring(0, 20) + "…" : cleaned;
    }

    /** Names where a value came from: the environment variable that set it, else the file and JSON path. */
    private record Where(String file, Map<String, String> origin) {
        Where {
            origin = new LinkedHashMap<>(origin);
        }

        ConfigException fault(String path, String problem) {
            String variable = origin.get(path);
            String place = variable != null ? variable
                    : file != null ? file + ": $." + path
                    : "OPENLINEAGE__" + path.toUpperCase(Locale.ROOT).replace(".", "__");
            return new ConfigException(Code.INVALID, place + ": " + problem);
        }
    }
}
