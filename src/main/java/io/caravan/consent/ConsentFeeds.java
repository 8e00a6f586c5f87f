package io.caravan.consent;

import io.caravan.config.ConfigFiles;
import io.caravan.error.ConfigException;
import tools.jackson.databind.JsonNode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The feeds of {@code config/consent-feeds.yaml}, validated when loaded against
 * {@code consent-feeds.schema.json} and the purposes; a mistake names the file and path. A
 * missing file means no feeds. Immutable, thread-safe.
 */
public final class ConsentFeeds {
    private static final String SCHEMA = "/io/caravan/consent/consent-feeds.schema.json";
    private static final long DEFAULT_MAX_BYTES = 50L * 1024 * 1024;

    private final Map<String, ConsentFeed> feeds;

    private ConsentFeeds(Map<String, ConsentFeed> feeds) {
        this.feeds = Map.copyOf(feeds);
    }

    public static ConsentFeeds load(Path file, PurposeRegistry purposes) {
        if (!Files.exists(file)) {
            return new ConsentFeeds(Map.of());
        }
        JsonNode root = ConfigFiles.read(file, SCHEMA);
        Map<String, ConsentFeed> feeds = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        JsonNode list = root.get("feeds");
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            String at = file + ": $.feeds[" + i + "]";
            String id = node.get("id").asString();
            JsonNode format = node.get("format");
            Map<String, String> columns = strings(node.get("columns"));
            Map<String, String> spellings = strings(node.path("purposes"));
            spellings.forEach((spelling, purpose) -> {
                if (purposes.find(purpose).isEmpty()) {
                    problems.add(at + ".purposes." + spelling + ": unknown purpose '" + purpose + "'");
                }
            });
            if (!columns.containsKey("email") && !columns.containsKey("phone")) {
                problems.add(at + ".columns: map email or phone (the subject)");
            }
            if (!columns.containsKey("tcString") && !(columns.containsKey("purpose") && columns.containsKey("status"))) {
                problems.add(at + ".columns: map purpose and status, or tcString");
            }
            Charset charset;
            try {
                charset = format.has("charset") ? Charset.forName(format.get("charset").asString()) : StandardCharsets.UTF_8;
            } catch (IllegalArgumentException e) {
                problems.add(at + ".format.charset: unknown charset");
                charset = StandardCharsets.UTF_8;
            }
            if (feeds.containsKey(id)) {
                problems.add(at + ".id: repeats feed '" + id + "'");
            }
            feeds.put(id, new ConsentFeed(id, node.get("partner").asString(), node.path("source").asText(node.get("partner").asString()),
                    node.path("phoneRegion").asText("DE"), format.get("type").asString(),
                    format.path("delimiter").asText(",").charAt(0), charset,
                    format.hasNonNull("recordsPath") ? format.get("recordsPath").asString() : null,
                    format.path("maxBytes").asLong(DEFAULT_MAX_BYTES), columns, spellings, strings(node.path("statuses"))));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(ConfigException.Code.INVALID, String.join("\n", problems));
        }
        return new ConsentFeeds(feeds);
    }

    Optional<ConsentFeed> find(String id) {
        return Optional.ofNullable(feeds.get(id));
    }

    public java.util.Set<String> ids() {
        return new java.util.TreeSet<>(feeds.keySet());
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
        }
        return out;
    }
}
